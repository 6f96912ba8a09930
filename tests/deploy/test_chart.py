"""The Helm chart, offline: Helm's strict lint and render for every values file, every rendered
object through the Kubernetes schemas (strict), the security and probe settings the chart
promises, and readable failures for values that cannot work."""

from __future__ import annotations

import pytest
import yaml

from deploy.packaging.model import ENVOY_HEALTH_PORT, LIVENESS, READINESS
from deploy.packaging.sync import CHART
from tests.deploy.chart import (
    CASES,
    KUBE_VERSIONS,
    api_components,
    deep_merge,
    lint,
    render,
    render_case,
    strip,
    values_for,
)


def _mesh_deployments(case: str) -> list[dict]:
    return [
        d
        for d in render_case(case).kind("Deployment")
        if d["metadata"]["labels"]["app.kubernetes.io/component"] not in ("vllm",)
    ]


@pytest.mark.parametrize("case", sorted(CASES))
def test_lint_strict(case):
    result = lint(values_for(case))
    assert result["errors"] == []
    # Severity 1 is INFO ("icon is recommended"); warnings (2) and errors (3+) must not appear.
    assert [m for m in result["messages"] if m["severity"] >= 2] == []


def test_every_values_file_is_a_case():
    files = {p.name for p in CHART.glob("values-*.yaml")}
    assert files == {file for file, _ in CASES.values()}


@pytest.mark.parametrize("version", KUBE_VERSIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_objects_are_valid_kubernetes(case, version):
    import kubernetes_validate

    rendered = render_case(case)
    assert rendered.docs
    for doc in rendered.docs:
        kubernetes_validate.validate(strip(doc), version, strict=True)


def test_validator_knows_the_newest_kubernetes():
    import kubernetes_validate

    assert kubernetes_validate.latest_version() == KUBE_VERSIONS[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_mesh_pods_are_locked_down(case):
    for dep in _mesh_deployments(case):
        pod = dep["spec"]["template"]["spec"]
        name = dep["metadata"]["name"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["automountServiceAccountToken"] is False, name
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            assert c["resources"]["requests"] and c["resources"]["limits"]["memory"], name
            mounts = {m["mountPath"] for m in c["volumeMounts"]}
            assert "/tmp" in mounts, f"{name}: a read-only root needs a writable /tmp"


@pytest.mark.parametrize("case", sorted(CASES))
def test_probes_are_native_grpc_health_and_envoy_ready(case):
    rendered = render_case(case)
    for dep in _mesh_deployments(case):
        c = dep["spec"]["template"]["spec"]["containers"][0]
        role = dep["metadata"]["labels"]["app.kubernetes.io/component"]
        if role == "envoy":
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert c[probe]["httpGet"] == {"path": "/ready", "port": "probe"}
            ports = {p["name"]: p["containerPort"] for p in c["ports"]}
            assert ports["probe"] == ENVOY_HEALTH_PORT
            continue
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        # mTLS services answer probes in plaintext on a port of their own (kubelet has no TLS)
        port = ports.get("health", ports["grpc"])
        mtls = values_for(case).get("meshAuth", {}).get("mtls", False)
        assert ("health" in ports) == (mtls and role != "gateway")
        assert c["livenessProbe"]["grpc"] == {"port": port, "service": LIVENESS}
        assert c["startupProbe"]["grpc"] == {"port": port, "service": LIVENESS}
        assert c["readinessProbe"]["grpc"] == {"port": port, "service": READINESS}
    for svc in rendered.kind("Service"):
        for p in svc["spec"]["ports"]:
            if p["name"] == "grpc":
                assert p["appProtocol"] == "grpc"


def test_gateway_scales_on_redis_with_hpa_and_pdb():
    rendered = render_case("vllm")
    gateway = rendered.component_name("gateway")
    hpa = rendered.get("HorizontalPodAutoscaler", gateway)
    assert hpa["spec"]["scaleTargetRef"]["name"] == gateway
    assert hpa["spec"]["minReplicas"] >= 2
    pdb = rendered.get("PodDisruptionBudget", gateway)
    labels = rendered.get("Deployment", gateway)["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    # The HPA owns the replica count.
    assert "replicas" not in rendered.get("Deployment", gateway)["spec"]
    assert {s["metadata"]["name"] for s in rendered.kind("StatefulSet")} == {
        rendered.component_name("redis"),
        rendered.component_name("qdrant"),
    }


def test_local_gateway_is_one_replica_without_hpa():
    rendered = render_case("local")
    assert rendered.kind("HorizontalPodAutoscaler") == []
    assert rendered.kind("PodDisruptionBudget") == []
    assert rendered.kind("StatefulSet") == []
    assert rendered.get("Deployment", rendered.component_name("gateway"))["spec"]["replicas"] == 1


def test_sqlite_persistence_is_a_pvc_and_recreate():
    rendered = render_case("local-persistent")
    gateway = rendered.component_name("gateway")
    dep = rendered.get("Deployment", gateway)
    assert dep["spec"]["strategy"] == {"type": "Recreate"}
    claim = rendered.get("PersistentVolumeClaim", f"{gateway}-state")
    volumes = {v["name"]: v for v in dep["spec"]["template"]["spec"]["volumes"]}
    assert volumes["state"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert rendered.kind("NetworkPolicy") == [] and rendered.tests == []


def test_vllm_deployment_requests_gpus():
    rendered = render_case("vllm-everything")
    vllm = rendered.get("Deployment", rendered.component_name("vllm"))
    c = vllm["spec"]["template"]["spec"]["containers"][0]
    assert c["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert c["args"][:2] == ["--model", "meta-llama/Llama-3.2-3B-Instruct"]
    inference = rendered.get("Deployment", rendered.component_name("inference"))
    env = {
        e["name"]: e["value"] for e in inference["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["VLLM_URL"] == f"http://{rendered.component_name('vllm')}:8000/v1"


def test_ingress_routes_to_envoy():
    rendered = render_case("vllm-everything")
    ingress = rendered.kind("Ingress")[0]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    envoy = rendered.get("Service", rendered.component_name("envoy"))
    assert backend["name"] == envoy["metadata"]["name"]
    assert backend["port"]["number"] in {p["port"] for p in envoy["spec"]["ports"]}


def test_secret_hooks_reach_the_mesh_pods():
    rendered = render_case("vllm-everything")
    for name in ("gateway", "inference"):
        pod = rendered.get("Deployment", rendered.component_name(name))["spec"]["template"]["spec"]
        c = pod["containers"][0]
        assert {"secretRef": {"name": "lls-api-keys"}} in c["envFrom"]
        assert {"name": "mesh-auth", "mountPath": "/etc/llamastack/auth", "readOnly": True} in c[
            "volumeMounts"
        ]
        assert {"name": "LLS_MESH_AUTH_DIR", "value": "/etc/llamastack/auth"} in c["env"]


def test_network_policy_lets_only_the_gateway_reach_services():
    rendered = render_case("vllm")
    policy = rendered.get("NetworkPolicy", rendered.component_name("inference"))
    sources = [p["podSelector"]["matchLabels"] for p in policy["spec"]["ingress"][0]["from"]]
    assert {s["app.kubernetes.io/component"] for s in sources} == {"gateway", "helm-test"}
    assert all(s["app.kubernetes.io/instance"] == "lls" for s in sources)
    assert policy["spec"]["ingress"][0]["ports"] == [{"port": 50061, "protocol": "TCP"}]
    # Entry points stay open: no policy selects the gateway or Envoy.
    selected = {
        p["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for p in rendered.kind("NetworkPolicy")
    }
    assert selected == {*api_components("vllm"), "redis", "qdrant"}
    # The test pod carries the label the policy lets in.
    test_pod = rendered.tests[0]
    assert test_pod["metadata"]["labels"]["app.kubernetes.io/component"] == "helm-test"


def test_helm_test_hook_checks_every_component_and_chats():
    rendered = render_case("vllm")
    pod = rendered.tests[0]
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    args = pod["spec"]["containers"][0]["args"]
    assert args[0] == "smoke"
    checks = {args[i + 1].split("=")[0] for i, a in enumerate(args) if a == "--check"}
    assert checks == {"gateway", *(c.replace("-", "_") for c in api_components("vllm"))}
    assert "--envoy" in args and "--no-chat" not in args


def test_notes_say_how_to_call_the_stack():
    notes = render_case("local").files["llamastack/templates/NOTES.txt"]
    assert "helm test lls" in notes
    assert "port-forward svc/lls-llamastack-envoy 8321" in notes
    assert "/v1/inference/chat-completion" in notes


# --- values that cannot work fail with a message that says what to do ---------------------


def _fails(values, *needles):
    from helm_python import HelmError

    with pytest.raises(HelmError) as info:
        render(values)
    text = str(info.value)
    for needle in needles:
        assert needle in text, text
    return text


def test_install_without_a_distribution_fails_readably():
    _fails({}, "runConfig is empty", "llamastack package values")


def test_vllm_without_its_url_fails_readably():
    values = values_for("vllm")
    values["vllm"]["url"] = ""
    _fails(values, "the run.yaml needs VLLM_URL", "vllm.url")
    values = values_for("vllm")
    values["env"] = {}
    _fails(values, "set env.INFERENCE_MODEL")


def test_chart_runs_exactly_the_run_yaml_services():
    values = values_for("local")
    values["components"]["phantom"] = {"role": "service", "api": "safety", "port": 50099}
    _fails(values, "components.phantom", 'run.yaml\'s services: has no "phantom"')
    values = values_for("local")
    del values["components"]["inference"]
    _fails(values, 'the run.yaml runs service "inference"')


def test_sqlite_registry_refuses_replicas():
    values = values_for("local")
    values["components"]["gateway"]["replicas"] = 3
    _fails(values, "only on a shared Redis registry", "metadata_store is sqlite")


def test_schema_rejects_misspelt_values():
    from helm_python import HelmError

    top = values_for("local")
    top["netwrokPolicy"] = {"enabled": False}
    nested = values_for("local")
    nested["components"]["gateway"]["prot"] = 1
    for values in (top, nested):
        with pytest.raises(HelmError, match="additional properties"):
            render(values)


def test_values_files_hold_the_run_yaml_verbatim():
    for file, _ in CASES.values():
        values = yaml.safe_load((CHART / file).read_text())
        name = file.removeprefix("values-").removesuffix(".yaml")
        run_yaml = CHART.parents[1] / "deploy" / "distributions" / name / "run.yaml"
        assert values["runConfig"] == run_yaml.read_text()


def test_gateway_workers_reach_the_gateway_only():
    """`components.gateway.workers` becomes LLS_GATEWAY_WORKERS, which the shipped run.yamls
    read as services.gateway.workers; API services never get it."""
    values = deep_merge(values_for("local"), {"components": {"gateway": {"workers": 3}}})
    rendered = render(values)
    for name in ("gateway", "inference"):
        dep = rendered.get("Deployment", rendered.component_name(name))
        container = dep["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env.get("LLS_GATEWAY_WORKERS") == ("3" if name == "gateway" else None)
    assert "workers: ${env.LLS_GATEWAY_WORKERS:=1}" in values["runConfig"]
