"""The fault catalogue and apply_plan, on the behavioural Docker fake (no engine)."""

from __future__ import annotations

import pytest

from drills.engine.containers import ContainerSpec
from drills.engine.images import ImageSet
from drills.faults.catalogue import FAULTS, FaultPlan, title
from drills.playbook.deploy import Waiting, apply_plan
from fixtures.fake_engine import FakeDocker, Sample
from harness.errors import ConfigError, InfraError

IMAGES = ImageSet(
    candidate_aot="aot:1",
    fallback_native="native:1",
    aot_missing_library="aot-ml:1",
    aot_oom="aot-oom:1",
    fallback_broken="native-broken:1",
)
CRASH_ONLY_SIGKILL = (
    r"^fault\.params\.signal: {signal}: only SIGKILL crashes the service: it is PID 1 in its "
    r"container, which ignores signals it has no handler for, and SIGTERM/SIGINT shut it down "
    r"cleanly$"
)
ISSUE_CATALOGUE = {
    "crash",
    "crash-loop",
    "corrupt-binary",
    "missing-library",
    "slow-start",
    "hang",
    "oom",
    "port-conflict",
    "none",
    "both-backends",
    "broken-fallback",
}


def new_fake() -> FakeDocker:
    fake = FakeDocker()
    for tag in ("aot:1", "native:1", "aot-ml:1", "aot-oom:1", "native-broken:1"):
        fake.build_image(b"", tag, {})
    return fake


def waiting(fake: FakeDocker, probe=None) -> Waiting:
    return Waiting(probe=probe or fake.probe, clock=fake.clock, sleep=fake.clock.sleep)


def spec(role: str, image: str = "aot:1") -> ContainerSpec:
    return ContainerSpec(
        image=image,
        name=f"c-{role}",
        env={"APP_PORT": "8080"},
        labels={"fuse-harness.role": role, "fuse-harness.run-id": "r1"},
    )


def test_the_catalogue_is_the_issues_with_stable_ids_and_titles() -> None:
    assert set(FAULTS) == ISSUE_CATALOGUE
    assert all(f.id == key and title(f) and "\n" not in title(f) for key, f in FAULTS.items())


@pytest.mark.parametrize(
    ("fault_id", "rollout"),
    [
        ("none", False),
        ("crash", False),
        ("hang", False),
        ("corrupt-binary", False),
        ("broken-fallback", False),
        ("crash-loop", True),
        ("missing-library", True),
        ("slow-start", True),
        ("oom", True),
        ("port-conflict", True),
        ("both-backends", True),
    ],
)
def test_runtime_faults_act_and_build_faults_roll_out(fault_id: str, rollout: bool) -> None:
    assert FAULTS[fault_id].prepare({}).rollout is rollout


@pytest.mark.parametrize(
    ("fault_id", "params", "message"),
    [
        ("slow-start", {"cpus": 0}, r"fault\.params\.cpus: expected a number in \[0\.01, 1\.0\], got 0"),
        ("slow-start", {"cpus": 5}, r"fault\.params\.cpus: expected a number"),
        ("slow-start", {"cpus": "fast"}, r"fault\.params\.cpus: expected a number"),
        ("slow-start", {"cpu": 0.5}, r"fault\.params\.cpu: not a parameter of this fault \(it takes cpus\)"),
        ("oom", {"memory_mb": 1}, r"fault\.params\.memory_mb: expected a number"),
        ("crash-loop", {"restarts": True}, r"fault\.params\.restarts: expected a number"),
        (
            "hang",
            {"seconds": 3},
            r"fault\.params\.seconds: not a parameter of this fault \(it takes no parameters\)",
        ),
        ("crash", {"signal": "SIGTERM"}, CRASH_ONLY_SIGKILL.format(signal="'SIGTERM'")),
        ("crash", {"signal": "SIGINT"}, CRASH_ONLY_SIGKILL.format(signal="'SIGINT'")),
        ("crash", {"signal": "SIGSEGV"}, CRASH_ONLY_SIGKILL.format(signal="'SIGSEGV'")),
        ("crash", {"signal": "SIGFOO"}, CRASH_ONLY_SIGKILL.format(signal="'SIGFOO'")),
        ("crash", {"signal": 9}, CRASH_ONLY_SIGKILL.format(signal="9")),
    ],
)
def test_bad_parameters_are_one_clear_config_error(fault_id: str, params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FAULTS[fault_id].prepare(params)


def test_every_fault_takes_its_documented_parameters() -> None:
    assert FAULTS["crash"].prepare({"signal": "SIGKILL"}) == FaultPlan()
    assert FAULTS["crash-loop"].prepare({"restarts": 2}).spec_changes == {"restart_on_failure": 2}
    assert FAULTS["slow-start"].prepare({"cpus": 0.5}).spec_changes == {"nano_cpus": 500_000_000}
    assert FAULTS["oom"].prepare({"memory_mb": 24}).spec_changes == {"mem_limit_bytes": 24 * 2**20}


def test_crash_ends_the_container_and_none_does_not() -> None:
    fake = new_fake()
    crashed, untouched = fake.run(spec("candidate-aot")), fake.run(spec("candidate-aot"))
    FAULTS["crash"].inject(fake, crashed.id, {})
    FAULTS["none"].inject(fake, untouched.id, {})
    assert (fake.inspect(crashed.id).status, fake.inspect(crashed.id).exit_code) == ("exited", 137)
    assert fake.inspect(untouched.id).status == "running"


def test_hang_pauses_the_container() -> None:
    fake = new_fake()
    hung = fake.run(spec("candidate-aot"))
    FAULTS["hang"].inject(fake, hung.id, {})
    assert fake.inspect(hung.id).status == "paused"


def test_oom_rolls_out_the_ballast_image_under_a_memory_limit() -> None:
    plan = FAULTS["oom"].prepare({"memory_mb": 24})
    assert (plan.image_variant, plan.spec_changes) == ("oom", {"mem_limit_bytes": 24 * 2**20})


def test_corrupt_binary_cuts_the_binary_to_its_header_and_restarts() -> None:
    fake = new_fake()
    fake.image_files["/app/fuse-aot-demo"] = b"\x7fELF" + b"x" * 4096
    info = fake.run(spec("candidate-aot"))
    FAULTS["corrupt-binary"].inject(fake, info.id, {})
    assert fake.get_file(info.id, "/app/fuse-aot-demo") == (b"\x7fELF" + b"x" * 60)
    assert [e.action for e in fake.event_log if e.container_id == info.id] == [
        "start",
        "die",
        "restart",
        "die",
    ]
    after = fake.inspect(info.id)
    assert (after.status, after.exit_code) == ("exited", 255)
    assert fake.logs(info.id).endswith("exec /app/fuse-aot-demo: exec format error\n")


def test_a_restart_the_engine_refuses_is_an_infra_error() -> None:
    fake = new_fake()
    info = fake.run(spec("candidate-aot"))
    fake.failing["restart"] = "engine went away"
    with pytest.raises(InfraError, match="docker: restart: engine went away"):
        FAULTS["corrupt-binary"].inject(fake, info.id, {})


@pytest.mark.parametrize(
    ("signal", "state", "shutdown_line"),
    [
        ("SIGKILL", ("exited", 137), False),
        ("SIGTERM", ("exited", 0), True),
        ("SIGINT", ("exited", 0), True),
        # the service is PID 1 of its container: the kernel drops signals it has no handler for
        ("SIGSEGV", ("running", None), False),
        ("SIGABRT", ("running", None), False),
        ("SIGUSR1", ("running", None), False),
    ],
)
def test_signals_act_on_the_fake_as_on_the_stand_in_as_pid_1(
    signal: str, state: tuple[str, int | None], shutdown_line: bool
) -> None:
    fake = new_fake()
    info = fake.run(spec("candidate-aot"))
    fake.kill(info.id, signal)
    assert (fake.inspect(info.id).status, fake.inspect(info.id).exit_code) == state
    assert (f"shutdown: runtime=native signal={signal}" in fake.logs(info.id)) is shutdown_line


def test_the_crash_fault_kills_with_sigkill() -> None:
    fake = new_fake()
    info = fake.run(spec("candidate-aot"))
    FAULTS["crash"].inject(fake, info.id, {"signal": "SIGKILL"})
    assert (fake.inspect(info.id).status, fake.inspect(info.id).exit_code) == ("exited", 137)


def test_apply_plan_changes_only_the_roles_the_plan_names() -> None:
    fake = new_fake()
    plan = FaultPlan(
        image_variant="missing-library",
        env={"A": "1"},
        native_env={"N": "2"},
        spec_changes={"restart_on_failure": 3},
        fallback_variant="broken-fallback",
    )
    aot = apply_plan(fake, spec("candidate-aot"), plan, IMAGES)
    assert (aot.image, aot.env["A"], aot.restart_on_failure) == ("aot-ml:1", "1", 3)
    shadow = apply_plan(fake, spec("shadow-native", "native:1"), plan, IMAGES)
    assert (shadow.image, shadow.env.get("N"), "A" in shadow.env) == ("native:1", "2", False)
    fallback = apply_plan(fake, spec("fallback-native", "native:1"), plan, IMAGES)
    assert fallback.image == "native-broken:1"
    previous = spec("previous-aot")
    assert apply_plan(fake, previous, plan, IMAGES) == previous


def test_port_conflict_joins_a_labelled_holder_that_answers_first() -> None:
    fake = new_fake()
    plan = FAULTS["port-conflict"].prepare({})
    aot = apply_plan(fake, spec("candidate-aot"), plan, IMAGES, waiting(fake))
    holder = fake.inspect(aot.network_container or "")
    assert holder.status == "running" and holder.labels["fuse-harness.role"] == "fault-helper"
    assert holder.labels["fuse-harness.run-id"] == "r1"


def test_a_holder_that_never_answers_is_an_infra_error() -> None:
    fake = new_fake()

    def refused(port: int, path: str, timeout_s: float) -> Sample:
        return Sample(ok=False, status=None, latency_ms=None, error="refused", t=0.0)

    with pytest.raises(InfraError, match=r"port holder .* never answered"):
        apply_plan(
            fake, spec("candidate-aot"), FAULTS["port-conflict"].prepare({}), IMAGES, waiting(fake, refused)
        )


def test_an_unbuilt_variant_is_named() -> None:
    images = ImageSet(candidate_aot="aot:1", fallback_native="native:1")
    with pytest.raises(ConfigError, match="image variant 'oom' was not built"):
        apply_plan(new_fake(), spec("candidate-aot"), FAULTS["oom"].prepare({}), images)
