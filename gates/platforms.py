"""Which FUSE platform a machine is, named as the contract names them (fuse-contract §1.1:
Linux/Darwin/Windows as linux/macos/windows, x86_64/amd64 as x64, aarch64/arm64 as arm64)."""

from __future__ import annotations

import platform as _platform

from harness.errors import ConfigError

_SYSTEMS = {"linux": "linux", "darwin": "macos", "windows": "windows"}
_MACHINES = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


def platform_id(system: str, machine: str) -> str:
    """The platform id of `system`/`machine` (as `platform.system()`/`machine()` say them)."""
    os_part = _SYSTEMS.get(system.lower())
    arch = _MACHINES.get(machine.lower())
    if os_part is None or arch is None:
        raise ConfigError(
            f"--platform: this machine ({system} {machine}) is no FUSE platform; "
            "pass --platform (linux-x64, macos-arm64, windows-x64, ...)"
        )
    return f"{os_part}-{arch}"


def host_platform() -> str:
    return platform_id(_platform.system(), _platform.machine())
