"""deploy/k8s: the kustomize base and its production overlay are valid Kubernetes objects
(kubernetes-validate, against the published schemas, strict: unknown fields fail) and agree with
the code: a Deployment per service probing /healthz and /readyz on the metrics port, resources,
PodDisruptionBudgets, the gateway's HPA, the migrations Job, Secrets and ConfigMaps that exist,
and NetworkPolicies that let each service reach only the broker and its database.

The overlay is rendered here in Python (the fields of kustomize our files use: resources, labels,
namespace, images, strategic-merge patches); where kubectl is installed, its `kubectl kustomize`
rendering must be the same."""
from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_validate.utils import ValidationError, validate

from services.common import production
from tests.deploy_tools import config_variables
from tests.processes import MODULES

K8S = Path(__file__).resolve().parents[1] / "deploy" / "k8s"
BASE, PRODUCTION = K8S / "base", K8S / "overlays" / "production"
KUBERNETES_VERSION = "1.30"  # the oldest release the manifests must work on
SERVICES = sorted(MODULES)


def _docs(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _merge(target: Any, patch: Any) -> Any:
    """A strategic merge patch as kustomize applies ours: maps merge, lists of named maps merge by
    name, any other list is replaced."""
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = dict(target)
        for key, value in patch.items():
            merged[key] = _merge(target[key], value) if key in target else value
        return merged
    if (isinstance(target, list) and isinstance(patch, list) and patch
            and all(isinstance(item, dict) and "name" in item for item in target + patch)):
        by_name = {item["name"]: item for item in target}
        merged = [_merge(by_name[item["name"]], item) if item["name"] in by_name else item for item in patch]
        return [item for item in target if item["name"] not in {p["name"] for p in patch}] + merged
    return patch


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {})
    return spec.get("template", {}).get("spec", {}).get("containers", [])


def render(folder: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        path = folder / resource
        docs.extend(render(path) if path.is_dir() else _docs(path))
    for group in kustomization.get("labels", []):
        for doc in docs:
            doc["metadata"].setdefault("labels", {}).update(group["pairs"])
    for patch_ref in kustomization.get("patches", []):
        for patch in _docs(folder / patch_ref["path"]):
            (index,) = [i for i, doc in enumerate(docs)
                        if (doc["kind"], doc["metadata"]["name"]) == (patch["kind"], patch["metadata"]["name"])]
            docs[index] = _merge(docs[index], patch)
    for image in kustomization.get("images", []):
        for container in (c for doc in docs for c in _containers(doc)):
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag or 'latest')}"
    if "namespace" in kustomization:
        for doc in docs:
            doc["metadata"]["namespace"] = kustomization["namespace"]
    return docs


BASE_DOCS = render(BASE)
PRODUCTION_DOCS = render(PRODUCTION)


def _named(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def _id(doc: dict[str, Any]) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


@pytest.mark.parametrize("doc", BASE_DOCS + PRODUCTION_DOCS, ids=_id)
def test_every_object_validates_against_the_kubernetes_schema(doc):
    validate(doc, KUBERNETES_VERSION, strict=True)


def test_an_invalid_manifest_is_refused():
    deployment = copy.deepcopy(_named(BASE_DOCS, "Deployment")["units"])
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(ValidationError):
        validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment = copy.deepcopy(_named(BASE_DOCS, "Deployment")["units"])
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}  # misspelt
    with pytest.raises(ValidationError):
        validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_kustomize_renders_the_overlay_the_same():
    out = subprocess.run(["kubectl", "kustomize", str(PRODUCTION)], capture_output=True, text=True, check=True)
    theirs = {_id(doc): doc for doc in yaml.safe_load_all(out.stdout) if doc}
    ours = {_id(doc): doc for doc in PRODUCTION_DOCS}
    assert theirs == ours


def _metrics_port() -> int:
    address = _named(BASE_DOCS, "ConfigMap")["gongkai"]["data"]["METRICS_ADDRESS"]
    return int(address.rsplit(":", 1)[1])


@pytest.mark.parametrize("service", SERVICES)
def test_a_deployment_per_service_with_probes_and_resources(service):
    deployment = _named(PRODUCTION_DOCS, "Deployment")[service]
    (container,) = _containers(deployment)
    assert MODULES[service] in container["command"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports["metrics"] == _metrics_port()
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
        assert container[probe]["httpGet"] == {"path": path, "port": "metrics"}, probe
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}, bound
    assert not container["image"].endswith(":latest"), "production runs a release's tag"
    assert deployment["metadata"]["namespace"] == "gongkai"
    if service != "gateway":  # the HPA sets the gateway's
        assert deployment["spec"]["replicas"] >= 2


@pytest.mark.parametrize("name", SERVICES + ["pgbouncer"])
def test_every_deployment_has_a_disruption_budget(name):
    deployment = _named(PRODUCTION_DOCS, "Deployment")[name]
    budgets = [pdb for pdb in _named(PRODUCTION_DOCS, "PodDisruptionBudget").values()
               if pdb["spec"]["selector"]["matchLabels"].items()
               <= deployment["spec"]["template"]["metadata"]["labels"].items()]
    assert len(budgets) == 1


def test_the_gateway_scales_by_an_hpa_behind_its_service():
    hpa = _named(PRODUCTION_DOCS, "HorizontalPodAutoscaler")["gateway"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "gateway" and hpa["spec"]["minReplicas"] >= 2
    service = _named(PRODUCTION_DOCS, "Service")["gateway"]
    assert service["spec"]["selector"].items() <= \
        _named(PRODUCTION_DOCS, "Deployment")["gateway"]["spec"]["template"]["metadata"]["labels"].items()


def test_the_gateway_is_published_by_an_ingress_with_tls():
    ingress = _named(PRODUCTION_DOCS, "Ingress")["gateway"]
    assert ingress["spec"]["tls"][0]["secretName"]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] in ingress["spec"]["tls"][0]["hosts"]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "gateway"
    assert _named(PRODUCTION_DOCS, "ConfigMap")["gongkai"]["data"]["TRUST_PROXY"] == "true"


def test_migrations_run_as_a_job():
    (container,) = _containers(_named(PRODUCTION_DOCS, "Job")["migrate"])
    assert "services.common.migrate" in " ".join(container["command"])
    for name, deployment in _named(PRODUCTION_DOCS, "Deployment").items():
        assert "migrate" not in " ".join(word for c in _containers(deployment) for word in c.get("command", [])), name


def test_every_secret_and_config_reference_exists():
    secrets = {name: set(doc.get("stringData", {})) | set(doc.get("data", {}))
               for name, doc in _named(PRODUCTION_DOCS, "Secret").items()}
    configs = set(_named(PRODUCTION_DOCS, "ConfigMap"))
    for doc in PRODUCTION_DOCS:
        for container in _containers(doc):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in configs
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in secrets
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets.get(ref["name"], set()), (_id(doc), ref)
    for service in SERVICES:
        if service != "gateway":
            (container,) = _containers(_named(PRODUCTION_DOCS, "Deployment")[service])
            urls = [v["name"] for v in container["env"] if v["name"].endswith("_DATABASE_URL")]
            assert urls == [f"{service.upper()}_DATABASE_URL"], "each service gets only its own database"


def _egress_ports(policy: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    ports: dict[int, list[dict[str, Any]]] = {}
    for rule in policy["spec"].get("egress", []):
        for port in rule.get("ports", []):
            ports.setdefault(port["port"], []).extend(rule.get("to", []))
    return ports


def test_network_policies_deny_by_default():
    deny = _named(PRODUCTION_DOCS, "NetworkPolicy")["default-deny"]
    assert deny["spec"]["podSelector"] == {} and set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert set(_egress_ports(deny)) == {53}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_reaches_only_the_broker_its_database_and_what_it_calls(service):
    policy = _named(PRODUCTION_DOCS, "NetworkPolicy")[service]
    assert policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/component": service}
    ports = _egress_ports(policy)
    assert {5672, 5671} <= set(ports)
    database = {6432} if service != "gateway" else set()
    outside = {25, 465, 587, 443, 80} if service == "notify" else set()  # mail, SMS, robots, webhooks
    assert set(ports) == {5672, 5671} | database | outside
    for port in database:
        assert ports[port] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "pgbouncer"}}}]
    for port in outside:
        (block,) = ports[port]
        assert "10.0.0.0/8" in block["ipBlock"]["except"], "the channels' peers are outside the cluster only"


def test_production_narrows_the_database_address():
    for name in ("pgbouncer", "postgres-exporter"):
        (target,) = _egress_ports(_named(PRODUCTION_DOCS, "NetworkPolicy")[name])[5432]
        assert target["ipBlock"]["cidr"].endswith("/32")


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "gateway"])
def test_every_service_with_a_database_gets_the_county_data_keys(service):
    """Personal data is sealed with one set of keys for every service and replica: each reads
    them from the Secret, and production refuses to start without them (never makes its own)."""
    (container,) = _containers(_named(BASE_DOCS, "Deployment")[service])
    env = {e["name"]: e for e in container.get("env", [])}
    assert env["GONGKAI_DATA_KEYS"]["valueFrom"]["secretKeyRef"] == {"name": "gongkai", "key": "GONGKAI_DATA_KEYS"}
    assert _named(BASE_DOCS, "ConfigMap")["gongkai"]["data"]["GONGKAI_ENV"] == "production"


def test_the_secrets_placeholders_are_refused_in_production(monkeypatch):
    """The ConfigMap says production, and the Secret's placeholders would stop every process
    (services/common/production.py) until an operator replaces them."""
    assert _named(PRODUCTION_DOCS, "ConfigMap")["gongkai"]["data"]["GONGKAI_ENV"] == "production"
    values = _named(PRODUCTION_DOCS, "Secret")["gongkai"]["stringData"]
    monkeypatch.setenv("GONGKAI_ENV", "production")
    config = {"AMQP_URI": values["AMQP_URI"], "GATEWAY": {"JWT_SECRET": values["GATEWAY_JWT_SECRET"]}}
    assert len(production.problems(config, "gateway")) == 2
    assert len(production.problems(config, "units")) == 1
    (gateway,) = _containers(_named(PRODUCTION_DOCS, "Deployment")["gateway"])
    from_secrets = {v["name"] for v in gateway["env"] if v.get("valueFrom", {}).get("secretKeyRef")}
    assert {"AMQP_URI", "GATEWAY_JWT_SECRET"} <= from_secrets



def test_the_gateway_gets_every_portal_setting_and_disclosure_its_scan_ceiling():
    config = _named(PRODUCTION_DOCS, "ConfigMap")["gongkai"]["data"]
    for service, wanted in (("gateway", config_variables("PORTAL")), ("disclosure", {"SCAN_CEILING_PER_ITEM_DAY"})):
        (container,) = _containers(_named(PRODUCTION_DOCS, "Deployment")[service])
        assert {"name": "gongkai"} in [s.get("configMapRef") for s in container.get("envFrom", [])]
        given = set(config) | {v["name"] for v in container.get("env", [])}
        assert wanted <= given, (service, wanted - given)
