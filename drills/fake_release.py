"""The stand-in release as drills/testing.py's `FakeDocker` sees it: a scripted fault
catalogue (each fault a plan plus one seam action), the behaviour each fault gives a
container, and an image builder that registers the release's labelled images.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from drills.faults import FaultPlan
from drills.testing import Behaviour, FakeDocker, crash_log


@dataclass(frozen=True, kw_only=True)
class ScriptedFault:
    """A fault for the fake: a plan, then one seam action (kill, pause, none)."""

    id: str
    plan: FaultPlan = field(default_factory=FaultPlan)
    action: str = "none"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        return self.plan

    def inject(self, seam: Any, container_id: str, params: Mapping[str, Any]) -> None:
        if self.action == "kill":
            seam.kill(container_id, str(params.get("signal", "SIGKILL")))
        elif self.action == "pause":
            seam.pause(container_id)


LOADER_ERROR = (
    "/app/fuse-aot-demo: error while loading shared libraries: libfuse_rt.so: "
    "cannot open shared object file: No such file or directory\n"
)
CONFIG_ERROR = "failed to read config file: Is a directory (os error 21)"  # FUSE_CONFIG=/
FAULTS: dict[str, ScriptedFault] = {
    f.id: f
    for f in (
        ScriptedFault(id="crash", action="kill"),
        ScriptedFault(id="crash-loop", plan=FaultPlan(env={"FAKE_CRASH_LOOP": "1"})),
        ScriptedFault(id="corrupt-binary", plan=FaultPlan(env={"FAKE_CORRUPT": "1"})),
        ScriptedFault(id="missing-library", plan=FaultPlan(image_variant="missing-library")),
        ScriptedFault(id="slow-start", plan=FaultPlan(spec_changes={"nano_cpus": 100_000_000})),
        ScriptedFault(id="hang", action="pause"),
        ScriptedFault(id="oom", plan=FaultPlan(env={"FAKE_OOM": "1"})),
        ScriptedFault(id="port-conflict", plan=FaultPlan(port_holder=True)),
        ScriptedFault(id="none"),
        ScriptedFault(  # one config both read (FUSE_CONFIG=/); each backend fails in its own words
            id="both-backends",
            plan=FaultPlan(
                env={"FAKE_AOT_CONFIG_BROKEN": "1"}, native_env={"FAKE_NATIVE_CONFIG_BROKEN": "1"}
            ),
        ),
        ScriptedFault(
            id="broken-fallback", plan=FaultPlan(fallback_variant="broken-fallback"), action="kill"
        ),
    )
}


def standard_behaviours(fake: FakeDocker) -> FakeDocker:
    """The stand-in release as the fake sees it: what each fault does to a container."""
    crash = Behaviour(exit_after_s=0.05, exit_code=1, log=crash_log("crash loop"))
    fake.behaviours.update(
        {
            "fake/candidate-aot-missing-library": Behaviour(
                exit_after_s=0.01, exit_code=127, log=LOADER_ERROR
            ),
            "fake/fallback-native-broken": Behaviour(
                exit_after_s=0.01, exit_code=126, log="exec format error\n"
            ),
            "fake/fallback-native": Behaviour(ready_after_s=0.4, latency_ms=3.0),
        }
    )
    fake.env_behaviours.update(
        {
            "FAKE_CRASH_LOOP": crash,
            "FAKE_CORRUPT": Behaviour(
                exit_after_s=0.01, exit_code=255, log="exec /app/fuse-aot-demo: exec format error\n"
            ),
            "FAKE_OOM": Behaviour(exit_after_s=0.3, exit_code=137, oom=True),
            # the stand-in AOT: a runtime_fatal envelope; `fuse run`: its run error, no envelope
            "FAKE_AOT_CONFIG_BROKEN": Behaviour(exit_after_s=0.02, exit_code=1, log=crash_log(CONFIG_ERROR)),
            "FAKE_NATIVE_CONFIG_BROKEN": Behaviour(
                exit_after_s=0.02, exit_code=1, log=f"[run] start\nrun error: {CONFIG_ERROR}\n[run] failed\n"
            ),
        }
    )
    return fake


def image_builder(fake: FakeDocker, *, previous: bool = True) -> Any:
    """A `Tools.build_images` for the fake: registers labelled tags, returns an ImageSet."""
    from drills.images import ImageSet  # noqa: PLC0415

    def build(_scenario: Any, labels: Mapping[str, str]) -> ImageSet:
        images = ImageSet(
            candidate_aot="fake/candidate-aot:1",
            fallback_native="fake/fallback-native:1",
            previous_aot="fake/previous-aot:1" if previous else None,
            aot_missing_library="fake/candidate-aot-missing-library:1",
            fallback_broken="fake/fallback-native-broken:1",
        )
        for tag in (
            images.candidate_aot,
            images.fallback_native,
            images.previous_aot,
            images.aot_missing_library,
            images.fallback_broken,
        ):
            if tag is not None:
                fake.build_image(b"", tag, labels)
        return images

    return build
