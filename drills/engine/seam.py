"""The Docker seam: the only module that imports the docker SDK (ruff banned-api enforces it).

Core drill code takes a `DockerSeam` (drills/engine/containers.py) as a parameter; tests pass a
behavioural fake, and `connect()` returns `DockerEngine`, the thin wrapper over the SDK.
SDK exceptions are caught here and re-raised as `InfraError` with what failed and where.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import docker
import docker.errors
import requests

from drills.engine.containers import ContainerEvent, ContainerInfo, ContainerSpec
from harness.errors import InfraError


@contextmanager
def _sdk(what: str) -> Iterator[None]:
    """Turn any SDK or transport failure into one InfraError line naming `what`."""
    try:
        yield
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise InfraError(f"docker: {what}: {_short(exc)}") from exc


def _short(exc: BaseException) -> str:
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc).strip().splitlines()[0] if str(explanation or exc) else repr(exc)


def _host_port(attrs: Mapping[str, Any]) -> int | None:
    ports = (attrs.get("NetworkSettings") or {}).get("Ports") or {}
    for bindings in ports.values():
        for binding in bindings or []:
            if binding.get("HostPort"):
                return int(binding["HostPort"])
    return None


def info_from_attrs(attrs: Mapping[str, Any]) -> ContainerInfo:
    """ContainerInfo from `docker inspect` data."""
    state = attrs.get("State") or {}
    status = str(state.get("Status", "unknown"))
    started = status not in ("created",) or bool(state.get("Error"))
    return ContainerInfo(
        id=str(attrs["Id"]),
        name=str(attrs.get("Name", "")).lstrip("/"),
        status=status,
        exit_code=int(state["ExitCode"]) if started and "ExitCode" in state else None,
        oom_killed=bool(state.get("OOMKilled", False)),
        restart_count=int(attrs.get("RestartCount", 0)),
        host_port=_host_port(attrs),
        labels=dict((attrs.get("Config") or {}).get("Labels") or {}),
        error=str(state.get("Error") or ""),
        created_at=engine_time(attrs.get("Created")),
        started_at=engine_time(state.get("StartedAt")),
    )


def engine_time(value: object) -> float | None:
    """An engine timestamp (RFC 3339 in UTC, to the nanosecond: 2026-12-03T19:20:01.123456789Z)
    as epoch seconds; None for the zero time of a container never started, or anything else."""
    if not isinstance(value, str) or not value.endswith("Z") or value.startswith("0001-"):
        return None
    whole, _, fraction = value[:-1].partition(".")
    try:
        seconds = datetime.fromisoformat(whole).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None
    digits = fraction[:9]
    return seconds + (int(digits) / 10 ** len(digits) if digits.isascii() and digits.isdigit() else 0.0)


def _create_kwargs(spec: ContainerSpec) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "image": spec.image,
        "name": spec.name,
        "labels": dict(spec.labels),
        "environment": dict(spec.env),
        "detach": True,
    }
    if spec.command is not None:
        kwargs["command"] = list(spec.command)
    if spec.entrypoint is not None:
        kwargs["entrypoint"] = list(spec.entrypoint)
    if spec.workdir is not None:
        kwargs["working_dir"] = spec.workdir
    if spec.network_container is not None:
        kwargs["network_mode"] = f"container:{spec.network_container}"
    else:
        kwargs["ports"] = {f"{spec.container_port}/tcp": ("127.0.0.1", None)}
    if spec.mem_limit_bytes is not None:
        kwargs["mem_limit"] = spec.mem_limit_bytes
        kwargs["memswap_limit"] = spec.mem_limit_bytes  # no swap: the limit really bites
    if spec.nano_cpus is not None:
        kwargs["nano_cpus"] = spec.nano_cpus
    if spec.restart_on_failure:
        kwargs["restart_policy"] = {"Name": "on-failure", "MaximumRetryCount": spec.restart_on_failure}
    return kwargs


def _one_file_tar(name: str, data: bytes, mode: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        member = tarfile.TarInfo(name)
        member.size, member.mode, member.mtime = len(data), mode, int(time.time())
        tar.addfile(member, io.BytesIO(data))
    return buf.getvalue()


def _file_from_tar(chunks: Iterator[bytes], path: str) -> bytes:
    tar_bytes = b"".join(chunks)
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is not None:
                return extracted.read()
    raise InfraError(f"docker: get {path}: not a regular file in the container")


class DockerEngine:
    """The real DockerSeam over the docker SDK (7.x)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def ping(self) -> None:
        with _sdk("ping the engine (is the Docker daemon running? check DOCKER_HOST)"):
            self._client.ping()

    def image_exists(self, tag: str) -> bool:
        with _sdk(f"look up image {tag}"):
            try:
                self._client.images.get(tag)
            except docker.errors.ImageNotFound:
                return False
        return True

    def build_image(self, context_tar: bytes, tag: str, labels: Mapping[str, str]) -> None:
        with _sdk(f"build image {tag}"):
            stream = self._client.api.build(
                fileobj=io.BytesIO(context_tar),
                custom_context=True,
                tag=tag,
                labels=dict(labels),
                rm=True,
                forcerm=True,
                decode=True,
            )
            for chunk in stream:
                if "error" in chunk:
                    raise InfraError(f"docker: build image {tag}: {chunk['error'].strip()}")

    def import_image(
        self,
        rootfs_tar: bytes,
        tag: str,
        changes: tuple[str, ...],
        labels: Mapping[str, str],
    ) -> None:
        """A one-layer image from a root filesystem tar plus Dockerfile metadata `changes`."""
        label = "LABEL " + " ".join(f"{json.dumps(k)}={json.dumps(v)}" for k, v in sorted(labels.items()))
        repository, _, version = tag.rpartition(":")
        with _sdk(f"import image {tag}"):
            self._client.api.import_image_from_data(
                rootfs_tar,
                repository=repository,
                tag=version,
                changes=[*changes, label] if labels else list(changes),
            )

    def layer_image(
        self,
        base: str,
        rootfs_tar: bytes,
        tag: str,
        changes: tuple[str, ...],
        labels: Mapping[str, str],
    ) -> None:
        """`base` plus one layer holding `rootfs_tar`, with Dockerfile metadata `changes`:
        a container is created (never started), the files are put in, it is committed.
        Three engine calls where the classic builder commits a container per instruction
        and sends the context first (seconds per image, a minute for a suite)."""
        label = "LABEL " + " ".join(f"{json.dumps(k)}={json.dumps(v)}" for k, v in sorted(labels.items()))
        repository, _, version = tag.rpartition(":")
        with _sdk(f"layer image {tag} on {base}"):
            created = self._client.api.create_container(
                base, command=["/fuse-harness-never-started"], labels=dict(labels)
            )
            cid = created["Id"]
            try:
                if not self._client.api.put_archive(cid, "/", rootfs_tar):
                    raise InfraError(f"docker: layer image {tag}: the engine refused the files")
                self._client.api.commit(
                    cid, repository=repository, tag=version, changes=[*changes, "CMD []", label]
                )
            finally:
                with suppress(docker.errors.APIError):
                    self._client.api.remove_container(cid, force=True, v=True)

    def run(self, spec: ContainerSpec) -> ContainerInfo:
        with _sdk(f"create container {spec.name} from {spec.image}"):
            container = self._client.containers.create(**_create_kwargs(spec))
        if spec.files is not None:
            with _sdk(f"put files into {spec.name}"):
                if not self._client.api.put_archive(container.id, "/", spec.files):
                    raise InfraError(f"docker: put files into {spec.name}: refused")
        # A process that cannot start (exec format error...) is a fault's effect: inspect
        # tells the story, so the start error is not raised here.
        with suppress(docker.errors.APIError):
            container.start()
        return self.inspect(container.id)

    def inspect(self, container_id: str) -> ContainerInfo:
        """State of a container; one that joined another's network reports that one's port."""
        attrs = self.inspect_raw(container_id)
        info = info_from_attrs(attrs)
        mode = str((attrs.get("HostConfig") or {}).get("NetworkMode", ""))
        if info.host_port is None and mode.startswith("container:"):
            with suppress(InfraError):  # the owner is gone: no port to report
                owner = info_from_attrs(self.inspect_raw(mode.removeprefix("container:")))
                return replace(info, host_port=owner.host_port)
        return info

    def inspect_raw(self, container_id: str) -> dict[str, Any]:
        with _sdk(f"inspect container {container_id[:12]}"):
            return dict(self._client.api.inspect_container(container_id))

    def logs(self, container_id: str) -> str:
        with _sdk(f"read logs of {container_id[:12]}"):
            raw = self._client.api.logs(container_id, stdout=True, stderr=True)
        return bytes(raw).decode("utf-8", errors="replace")

    def kill(self, container_id: str, signal: str = "SIGKILL") -> None:
        with _sdk(f"send {signal} to {container_id[:12]}"):
            self._client.api.kill(container_id, signal=signal)

    def pause(self, container_id: str) -> None:
        with _sdk(f"pause {container_id[:12]}"):
            self._client.api.pause(container_id)

    def update(
        self,
        container_id: str,
        *,
        nano_cpus: int | None = None,
        mem_limit_bytes: int | None = None,
    ) -> None:
        body: dict[str, Any] = {}
        if nano_cpus is not None:
            body["NanoCpus"] = nano_cpus
        if mem_limit_bytes is not None:
            body["Memory"] = body["MemorySwap"] = mem_limit_bytes
        with _sdk(f"update resources of {container_id[:12]}"):
            # The SDK's update_container cannot set NanoCpus (7.x); the engine's endpoint can.
            api = self._client.api
            api._raise_for_status(api._post_json(api._url("/containers/{0}/update", container_id), data=body))

    def restart(self, container_id: str) -> None:
        with _sdk(f"restart {container_id[:12]}"):
            try:
                self._client.api.restart(container_id, timeout=5)
            except docker.errors.APIError as exc:
                if exc.status_code != 500:  # a process that cannot start is the fault's effect
                    raise

    def wait_exit(self, container_id: str, timeout_s: float) -> ContainerInfo | None:
        """Block on the engine's `wait` (event-driven); None when `timeout_s` passes first."""
        try:
            self._client.api.wait(container_id, timeout=max(timeout_s, 0.01), condition="not-running")
        except requests.exceptions.ReadTimeout:
            return None
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                return None
            raise InfraError(f"docker: wait for {container_id[:12]}: {_short(exc)}") from exc
        except docker.errors.DockerException as exc:
            raise InfraError(f"docker: wait for {container_id[:12]}: {_short(exc)}") from exc
        return self.inspect(container_id)

    def events(
        self,
        labels: Mapping[str, str],
        since: float,
        until: float,
    ) -> list[ContainerEvent]:
        filters = {"type": "container", "label": [f"{k}={v}" for k, v in labels.items()]}
        with _sdk("read container events"):
            stream = self._client.api.events(since=since, until=until, filters=filters, decode=True)
            return [_event(raw) for raw in stream if raw.get("Type") == "container"]

    def put_file(self, container_id: str, path: str, data: bytes, mode: int = 0o755) -> None:
        directory, _, name = path.rpartition("/")
        with _sdk(f"put {path} into {container_id[:12]}"):
            ok = self._client.api.put_archive(container_id, directory or "/", _one_file_tar(name, data, mode))
        if not ok:
            raise InfraError(f"docker: put {path} into {container_id[:12]}: refused")

    def get_file(self, container_id: str, path: str) -> bytes:
        with _sdk(f"get {path} from {container_id[:12]}"):
            chunks, _stat = self._client.api.get_archive(container_id, path)
            return _file_from_tar(chunks, path)

    def remove_container(self, container_id: str) -> None:
        with _sdk(f"remove container {container_id[:12]}"):
            try:
                self._client.api.remove_container(container_id, force=True, v=True)
            except docker.errors.NotFound:
                return
            except docker.errors.APIError as exc:
                if exc.status_code != 409:  # 409: removal already in progress
                    raise

    def remove_image(self, tag: str) -> None:
        with _sdk(f"remove image {tag}"):
            try:
                self._client.api.remove_image(tag, force=True, noprune=False)
            except docker.errors.ImageNotFound:
                return

    def list_labelled(
        self,
        label_key: str,
        value: str | None = None,
    ) -> list[tuple[str, str, dict[str, str]]]:
        selector = label_key if value is None else f"{label_key}={value}"
        found: list[tuple[str, str, dict[str, str]]] = []
        with _sdk(f"list things labelled {selector}"):
            api = self._client.api
            for c in api.containers(all=True, filters={"label": selector}):
                found.append(("container", c["Id"], dict(c.get("Labels") or {})))
            for i in api.images(filters={"label": selector}):
                found.append(("image", i["Id"], dict(i.get("Labels") or {})))
        return found

    def close(self) -> None:
        self._client.close()


def _event(raw: Mapping[str, Any]) -> ContainerEvent:
    attributes = (raw.get("Actor") or {}).get("Attributes") or {}
    code = attributes.get("exitCode")
    nanos = raw.get("timeNano")
    return ContainerEvent(
        container_id=str((raw.get("Actor") or {}).get("ID", raw.get("id", ""))),
        action=str(raw.get("Action", raw.get("status", ""))).split(":")[0],
        time=nanos / 1e9 if nanos else float(raw.get("time", 0)),
        exit_code=int(code) if code is not None else None,
    )


def connect(timeout_s: float = 60.0) -> DockerEngine:
    """The engine from the environment (DOCKER_HOST...), pinged; InfraError if none answers."""
    with _sdk("connect to the engine (is the Docker daemon running? check DOCKER_HOST)"):
        engine = DockerEngine(docker.from_env(timeout=int(timeout_s)))
    engine.ping()
    return engine
