"""Labels (drills/engine/labels.py), the run lock (drills/run/lock.py), the reaper
(drills/engine/reap.py) and the signal shield (drills/playbook/signals.py)."""

from __future__ import annotations

import os
import signal

import pytest

from drills.engine.containers import ContainerSpec
from drills.engine.labels import EXPIRES, PID, RUN_ID
from drills.engine.labels import labels as resource_labels
from drills.engine.reap import cleanup_run, reap
from drills.playbook.deadline import Deadline, DeadlineExceeded
from drills.playbook.signals import Interrupted, Signals
from drills.run.lock import run_lock
from fixtures.fake_engine import FakeDocker
from harness.errors import InfraError


def _run(
    fake: FakeDocker,
    run_id: str,
    *,
    expires_in: float,
    pid: int | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    labels = resource_labels(run_id, "s", "candidate-aot", fake.clock(), expires_in)
    if pid is not None:
        labels[PID] = str(pid)
    labels.update(extra or {})
    fake.build_image(b"", "img", {})
    return fake.run(ContainerSpec(image="img", name=run_id, labels=labels)).id


def test_reap_removes_expired_and_dead_runs_but_not_live_ones():
    fake = FakeDocker()
    expired = _run(fake, "old", expires_in=-10)
    dead = _run(fake, "dead", expires_in=3600, pid=2**22 + 12345)
    live = _run(fake, "live", expires_in=3600)  # our own pid: alive
    removed = reap(fake, fake.clock())
    assert sorted(removed) == sorted([f"container {expired}", f"container {dead}"])
    assert list(fake.containers) == [live]
    assert reap(fake, fake.clock(), everything=True) == [f"container {live}"]
    assert reap(fake, fake.clock(), everything=True) == []  # idempotent


def test_cleanup_of_a_scenario_keeps_images_and_other_scenarios():
    fake = FakeDocker()
    mine = _run(fake, "r", expires_in=60)
    fake.images["img"] = resource_labels("r", "s", "image", 0, 60)
    assert cleanup_run(fake, "r", "s") == [f"container {mine}"]
    assert "img" in fake.images
    assert cleanup_run(fake, "r") == ["image img"]


def test_one_failed_removal_does_not_keep_the_others_and_is_raised():
    fake = FakeDocker()
    ids = [_run(fake, "r", expires_in=60) for _ in range(3)]
    remove = fake.remove_container

    def flaky(container_id: str) -> None:
        if container_id == ids[1]:
            raise InfraError(f"docker: remove container {container_id}: engine busy")
        remove(container_id)

    fake.remove_container = flaky  # type: ignore[method-assign]
    with pytest.raises(InfraError, match="engine busy"):
        cleanup_run(fake, "r")
    assert list(fake.containers) == [ids[1]]


def test_second_run_is_refused_by_the_lock(tmp_path):
    lock = tmp_path / "drill.lock"
    with run_lock(lock), pytest.raises(InfraError, match="another drill run"), run_lock(lock):
        pass
    with run_lock(lock):  # released after the first one ends
        pass


def test_signal_while_shielded_is_raised_when_the_outermost_shield_ends():
    signals = Signals()
    cleanup_finished = False
    with (
        signals.installed(),
        pytest.raises(Interrupted, match="SIGTERM during cleanup"),
        signals.shield(),
    ):
        with signals.shield():
            os.kill(os.getpid(), signal.SIGTERM)  # held: cleanup goes on
        assert signals.pending  # an inner shield does not raise
        cleanup_finished = True
    assert cleanup_finished
    assert not signals.pending


def test_signal_outside_a_shield_raises_at_once():
    signals = Signals()
    with signals.installed(), pytest.raises(Interrupted, match="SIGINT"):
        os.kill(os.getpid(), signal.SIGINT)


def test_the_third_signal_forces_the_exit_when_the_first_started_cleanup(monkeypatch):
    exits: list[int] = []
    monkeypatch.setattr(os, "_exit", exits.append)
    signals = Signals()
    with signals.installed():
        with pytest.raises(Interrupted):  # first Ctrl-C: cleanup begins
            os.kill(os.getpid(), signal.SIGINT)
        with pytest.raises(Interrupted), signals.shield():
            os.kill(os.getpid(), signal.SIGINT)  # second: cleanup finishes first
            assert exits == []
            os.kill(os.getpid(), signal.SIGINT)  # third: forced
            assert exits == [130]


def test_the_third_signal_forces_the_exit_when_the_first_landed_in_cleanup(monkeypatch):
    exits: list[int] = []
    monkeypatch.setattr(os, "_exit", exits.append)
    signals = Signals()
    with signals.installed(), pytest.raises(Interrupted), signals.shield():
        os.kill(os.getpid(), signal.SIGINT)  # first, during a normal cleanup: held
        os.kill(os.getpid(), signal.SIGINT)  # second: still lets cleanup finish
        assert exits == []
        os.kill(os.getpid(), signal.SIGINT)  # third: forced
        assert exits == [130]


def test_deadline_check_and_clip():
    now = [100.0]
    deadline = Deadline(clock=lambda: now[0], at=105.0)
    assert deadline.clip(10) == 5.0
    now[0] = 106.0
    assert deadline.clip(10) == 0.0
    with pytest.raises(DeadlineExceeded, match="during detect"):
        deadline.check("detect")


def test_a_refused_run_does_not_touch_the_live_runs_journal(tmp_path):
    from drills.run.runner import RunOptions, run  # noqa: PLC0415
    from tests.drills.conftest import standard, tools_for  # noqa: PLC0415

    fake = FakeDocker()
    live = tmp_path / "journal.jsonl"
    live.write_text("live run\n")
    with run_lock(tmp_path / "drill.lock"), pytest.raises(InfraError, match="lock"):
        run(tools_for(fake), [standard("none")], RunOptions(out_dir=tmp_path))
    assert live.read_text() == "live run\n"
    assert not list(tmp_path.glob("journal.*.jsonl"))


class _Api:
    """Enough of docker's low-level API for list_labelled: one of each kind, labelled."""

    labels = {RUN_ID: "r"}

    def containers(self, **_filters: object) -> list[dict]:
        return [{"Id": "c1", "Labels": self.labels}]

    def images(self, **_filters: object) -> list[dict]:
        return [{"Id": "sha256:i1", "Labels": self.labels}]

    def networks(self, **_filters: object) -> list[dict]:
        return [{"Id": "n1", "Labels": self.labels}]


def test_labelled_resources_are_only_what_cleanup_removes():
    from types import SimpleNamespace  # noqa: PLC0415

    from drills.engine.seam import DockerEngine  # noqa: PLC0415

    engine = DockerEngine(SimpleNamespace(api=_Api()))
    assert [kind for kind, _id, _labels in engine.list_labelled(RUN_ID, "r")] == ["container", "image"]


@pytest.mark.parametrize("expires", ["never", "inf", "1e400", "9" * 5000])
def test_an_expiry_label_that_is_no_integer_keeps_the_container_and_the_reap_going(expires: str):
    """Before, int() of it raised in the reaper, and every `drill run` on the host failed."""
    fake = FakeDocker()
    odd = _run(fake, "odd", expires_in=3600, extra={EXPIRES: expires})
    expired = _run(fake, "old", expires_in=-10)
    assert reap(fake, fake.clock()) == [f"container {expired}"]
    assert list(fake.containers) == [odd]  # its owner (this process) is alive


@pytest.mark.parametrize(("pid", "stale"), [("9" * 30, True), ("9" * 5000, False)])
def test_a_pid_label_past_any_process_is_no_crash(pid: str, stale: bool):
    """A pid past the largest one is no live process (os.kill of it raised OverflowError);
    one of more digits than int() takes is not read as a pid at all, as a non-number is."""
    fake = FakeDocker()
    odd = _run(fake, "odd", expires_in=3600, extra={PID: pid})
    assert reap(fake, fake.clock()) == ([f"container {odd}"] if stale else [])
