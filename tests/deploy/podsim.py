"""Run rendered Kubernetes pods as local processes: the closest to `helm install` without a
cluster or an image.

Each pod runs what its container would: the image's ENTRYPOINT (read from the Dockerfile) plus
the container's args, with exactly the image's ENV (from the Dockerfile) and the container's env,
from a copy of the files the image gets (`image_tree`), with the dependencies of this venv as
the image's /opt/venv. What the cluster would provide is simulated:

- every pod has its own network namespace, so each containerPort becomes a free local port;
  a Service name (`<svc>:<port>`, also inside URLs and config files) becomes 127.0.0.1 and the
  port its pod got; `LLS_GRPC_PORT` (the port a process listens on) becomes its pod's port;
- volumes become directories: ConfigMap keys (and the keys of Secrets the chart renders) are
  written as files at their mount paths, emptyDirs are empty directories; paths in env values
  follow their mounts;
- Envoy's config (a mounted file) gets the same address rewriting, structurally.

Probes are run as kubelet runs them (gRPC health with the probe's service name, HTTP GET).
"""

from __future__ import annotations

import base64
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.deploy.chart import Rendered
from tests.deploy.dockerfile import image_tree, stages

__all__ = ["Cluster", "Pod"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Pod:
    name: str
    container: dict[str, Any]
    spec: dict[str, Any]
    labels: dict[str, str]
    root: Path
    #: containerPort -> local port
    ports: dict[int, int] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None
    #: probe service names this build does not serve yet, checked as "" instead

    @property
    def log(self) -> Path:
        return self.root / "pod.log"

    def named_port(self, port: int | str) -> int:
        if isinstance(port, int):
            return port
        return next(p["containerPort"] for p in self.container["ports"] if p["name"] == port)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def probe(self, kind: str) -> str | None:
        """Run the container's `kind` probe once; None when it passes."""
        spec = self.container.get(kind)
        if spec is None:
            return None
        if "grpc" in spec:
            port = self.ports[spec["grpc"]["port"]]
            return self._grpc(port, spec["grpc"].get("service", ""))
        http = spec["httpGet"]
        port = self.ports[self.named_port(http["port"])]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{http['path']}", timeout=2) as r:
                return None if 200 <= r.status < 400 else f"HTTP {r.status}"
        except OSError as exc:
            return str(exc)

    def _grpc(self, port: int, service: str) -> str | None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            try:
                resp = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
            except grpc.RpcError as exc:  # kubelet fails a probe on NOT_FOUND too
                return f"{exc.code().name}"
        ok = resp.status == health_pb2.HealthCheckResponse.SERVING
        return None if ok else health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)


class Cluster:
    """The mesh pods of a rendered release, run as processes (stopped by PID)."""

    def __init__(self, rendered: Rendered, workdir: Path, python: str) -> None:
        self.rendered = rendered
        self.workdir = workdir
        self.python = python
        self.image = image_tree(workdir / "image")
        self.runtime = stages()[-1]
        self.pods: dict[str, Pod] = {}
        for dep in rendered.kind("Deployment"):
            template = dep["spec"]["template"]
            name = dep["metadata"]["name"]
            pod = Pod(
                name=name,
                container=template["spec"]["containers"][0],
                spec=template["spec"],
                labels=template["metadata"]["labels"],
                root=workdir / "pods" / name,
            )
            pod.ports = {p["containerPort"]: _free_port() for p in pod.container["ports"]}
            self.pods[name] = pod
        #: "<service>:<port>" -> "127.0.0.1:<local port>"
        self.dns: dict[str, str] = {}
        for svc in rendered.kind("Service"):
            pod = self._pod_for(svc["spec"]["selector"])
            if pod is None:
                continue
            for p in svc["spec"]["ports"]:
                target = pod.named_port(p.get("targetPort", p["port"]))
                self.dns[f"{svc['metadata']['name']}:{p['port']}"] = (
                    f"127.0.0.1:{pod.ports[target]}"
                )

    def _pod_for(self, selector: dict[str, str]) -> Pod | None:
        for pod in self.pods.values():
            if selector.items() <= pod.labels.items():
                return pod
        return None

    # --- address and path rewriting -------------------------------------------------------

    def resolve(self, text: str) -> str:
        for name in sorted(self.dns, key=len, reverse=True):
            text = re.sub(rf"(?<![\w.-]){re.escape(name)}(?![\d])", self.dns[name], text)
        return text

    def _paths(self, pod: Pod) -> list[tuple[str, Path]]:
        venv = Path(self.python).parent.parent
        mapping = [("/app", self.image / "app"), ("/opt/venv", venv)]
        mapping.append(("/home/llamastack", pod.root / "home"))
        for m in pod.container.get("volumeMounts", []):
            mapping.append((m["mountPath"], pod.root / "mounts" / m["mountPath"].lstrip("/")))
        return sorted(mapping, key=lambda kv: len(kv[0]), reverse=True)

    def _map_path(self, value: str, mapping: list[tuple[str, Path]]) -> str:
        parts = []
        for part in value.split(":"):
            for prefix, host in mapping:
                if part == prefix or part.startswith(prefix + "/"):
                    part = str(host) + part[len(prefix) :]
                    break
            parts.append(part)
        return ":".join(parts)

    def _volumes(self, pod: Pod) -> None:
        volumes = {v["name"]: v for v in pod.spec.get("volumes", [])}
        for m in pod.container.get("volumeMounts", []):
            target = pod.root / "mounts" / m["mountPath"].lstrip("/")
            vol = volumes[m["name"]]
            if "configMap" in vol:
                data = self.rendered.get("ConfigMap", vol["configMap"]["name"])["data"]
                files = (
                    {m["subPath"]: target}
                    if "subPath" in m
                    else {key: target / key for key in data}
                )
                for key, path in files.items():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(self._rewrite_file(pod, data[key]))
            elif "secret" in vol and vol["secret"]["secretName"] in self._secrets():
                # A Secret the chart renders (the mesh credential): its keys as files.
                target.mkdir(parents=True, exist_ok=True)
                for key, value in self._secrets()[vol["secret"]["secretName"]].items():
                    (target / key).write_bytes(base64.b64decode(value))
            else:  # emptyDir, PVC, an existing secret: a directory of its own
                target.mkdir(parents=True, exist_ok=True)

    def _secrets(self) -> dict[str, dict[str, str]]:
        return {d["metadata"]["name"]: d.get("data") or {} for d in self.rendered.kind("Secret")}

    def _rewrite_file(self, pod: Pod, text: str) -> str:
        """Envoy configs: listeners on the pod's ports, Service names resolved."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return self.resolve(text)
        if not isinstance(data, dict) or "static_resources" not in data:
            return self.resolve(text)

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                addr = node.get("socket_address")
                if isinstance(addr, dict):
                    key = f"{addr['address']}:{addr['port_value']}"
                    if key in self.dns:
                        host, port = self.dns[key].split(":")
                        addr.update(address=host, port_value=int(port))
                    else:  # a port of this pod (listeners, the admin interface)
                        port = addr["port_value"]
                        pod.ports.setdefault(port, _free_port())
                        addr["port_value"] = pod.ports[port]
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(data)
        return yaml.safe_dump(data, sort_keys=False)

    def env(self, pod: Pod) -> dict[str, str]:
        mapping = self._paths(pod)
        env = {k: self._map_path(v, mapping) for k, v in self.runtime.env.items()}
        env["PATH"] = env["PATH"].replace("$PATH", "/usr/bin:/bin")
        for item in pod.container.get("env", []):
            value = self.resolve(str(item["value"]))
            env[item["name"]] = self._map_path(value, mapping)
        if "LLS_GRPC_PORT" in env:
            env["LLS_GRPC_PORT"] = str(pod.ports[int(env["LLS_GRPC_PORT"])])
        return env

    def argv(self, pod: Pod) -> list[str]:
        entry = list(self.runtime.entrypoint)
        path = self.env(pod)["PATH"]
        entry[0] = shutil.which(entry[0], path=path) or entry[0]
        return [*entry, *(self.resolve(a) for a in pod.container.get("args", []))]

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        for pod in self.pods.values():
            pod.root.mkdir(parents=True, exist_ok=True)
            (pod.root / "home").mkdir(exist_ok=True)
            self._volumes(pod)
            with pod.log.open("wb") as log:
                pod.popen = subprocess.Popen(
                    self.argv(pod),
                    env=self.env(pod),
                    cwd=self.image / "app",
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

    def wait_ready(self, timeout: float) -> float:
        """Seconds until every pod passes its startup, liveness and readiness probes."""
        started = time.monotonic()
        pending = dict(self.pods)
        while pending:
            for name, pod in list(pending.items()):
                if pod.popen is not None and pod.popen.poll() is not None:
                    raise RuntimeError(f"{name} exited {pod.popen.returncode}:\n{pod.tail()}")
                kinds = ("startupProbe", "livenessProbe", "readinessProbe")
                if all(pod.probe(k) is None for k in kinds):
                    del pending[name]
            if time.monotonic() - started > timeout:
                details = "\n".join(
                    f"--- {n}: {p.probe('readinessProbe')}\n{p.tail()}" for n, p in pending.items()
                )
                raise TimeoutError(f"not ready within {timeout:.0f}s:\n{details}")
            time.sleep(0.2)
        return time.monotonic() - started

    def run_pod(self, doc: dict[str, Any], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a Pod to completion (a `helm test` hook), its args resolved like the others."""
        container = doc["spec"]["containers"][0]
        pod = Pod(doc["metadata"]["name"], container, doc["spec"], {}, self.workdir / "test")
        pod.root.mkdir(parents=True, exist_ok=True)
        self._volumes(pod)
        return subprocess.run(
            self.argv(pod),
            env=self.env(pod),
            cwd=self.image / "app",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def stop(self) -> None:
        for pod in self.pods.values():
            if pod.popen is not None and pod.popen.poll() is None:
                pod.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for pod in self.pods.values():
            if pod.popen is None:
                continue
            try:
                pod.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pod.popen.kill()
                pod.popen.wait(10)
