# shellcheck shell=bash
# Shared by the stand-in recovery scripts: finding the stand-in toolchain and the
# test knobs that make a script fail, run slowly or hang. Sourced, never executed.

STANDIN_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STANDIN_REPO_ROOT="$(cd "$STANDIN_SCRIPTS_DIR/../../../.." && pwd)"  # holds drills/ (a checkout or site-packages)
STANDIN_DEMO_FIXTURE="$(cd "$STANDIN_SCRIPTS_DIR/../examples" && pwd)/project_demo.fuse"

# FUSE_BIN / FUSE_AOT_BIN / FUSE_LSP_BIN win; a missing one is looked for next to
# FUSE_BIN, and with no FUSE_BIN at all the fixture build step provides all three.
standin_toolchain() {
  if [[ -z "${FUSE_BIN:-}" ]]; then
    local assignments
    assignments="$(cd "$STANDIN_REPO_ROOT" && PYTHONPATH="$STANDIN_REPO_ROOT" \
      python3 -m drills.standard.toolchain --version "${FUSE_STANDIN_VERSION:-0.7.1}")" || return 1
    eval "$assignments"
  fi
  local dir
  dir="$(dirname "$FUSE_BIN")"
  FUSE_AOT_BIN="${FUSE_AOT_BIN:-$dir/fuse-aot-demo}"
  FUSE_LSP_BIN="${FUSE_LSP_BIN:-$dir/fuse-lsp}"
  export FUSE_BIN FUSE_AOT_BIN FUSE_LSP_BIN
}

# Relative paths resolve against the directory the script runs in (the "checkout").
standin_abspath() {
  realpath -m -- "$1"
}

# Sleep in short slices so that killing the script never leaves a long sleep behind.
standin_pause() {
  local slices
  slices="$(awk -v s="$1" 'BEGIN { n = int(s * 10 + 0.5); print (n < 0 ? 0 : n) }')"
  for ((i = 0; i < slices; i++)); do sleep 0.1; done
}

standin_hang() {
  echo "[standin] hanging on purpose ($1)" >&2
  while :; do sleep 0.2; done
}

# True when STANDIN_<NAME>_FAIL=1, or for the first STANDIN_<NAME>_FAIL_TIMES runs
# (counted in $STANDIN_STATE_DIR/<name>.runs).
standin_should_fail() {
  local name="$1" fail_var="STANDIN_${1}_FAIL" times_var="STANDIN_${1}_FAIL_TIMES"
  [[ "${!fail_var:-}" == "1" ]] && return 0
  local times="${!times_var:-0}"
  [[ "$times" =~ ^[0-9]+$ && "$times" -gt 0 ]] || return 1
  local state="${STANDIN_STATE_DIR:?STANDIN_${name}_FAIL_TIMES needs STANDIN_STATE_DIR}"
  mkdir -p "$state"
  local file="$state/${name,,}.runs" runs=0
  [[ -f "$file" ]] && runs="$(cat "$file")"
  echo $((runs + 1)) > "$file"
  [[ "$runs" -lt "$times" ]]
}

# Apply STANDIN_<NAME>_SLEEP and STANDIN_<NAME>_HANG.
standin_delay_knobs() {
  local sleep_var="STANDIN_${1}_SLEEP" hang_var="STANDIN_${1}_HANG"
  [[ -n "${!sleep_var:-}" ]] && standin_pause "${!sleep_var}"
  [[ "${!hang_var:-}" == "1" ]] && standin_hang "$hang_var=1"
  return 0
}

# Nanosecond wall clock (GNU date, like upstream's scripts).
standin_now_ns() { date +%s%N; }
