"""The deployment files agree with the code and with each other (no Docker needed).

docker-compose.yml, deploy/Dockerfile, deploy/prometheus/ and deploy/grafana/ are read as data
and checked against the repository: every container runs a module that exists, every service
in the code has a container, Prometheus scrapes each of them on the port it serves metrics on,
start-up ordering only waits on health that is actually checked, alert rules are complete, and
the dashboard uses the provisioned data source. Only PyYAML and the standard library.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.deploy_tools import config_variables, tool

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = "deploy/Dockerfile"
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
GRAFANA_DIR = REPO / "deploy" / "grafana"
DASHBOARD_FILE = GRAFANA_DIR / "dashboards" / "gongkai.json"
DATASOURCES_FILE = GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml"
DASHBOARD_PROVIDER_FILE = GRAFANA_DIR / "provisioning" / "dashboards" / "gongkai.yml"
POSTGRES_INIT_FILE = REPO / "deploy" / "postgres" / "init-databases.sh"
CADDYFILE = REPO / "deploy" / "proxy" / "Caddyfile"

DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
# options of `nameko run` that take a value (everything else not starting with "-" is a module)
NAMEKO_RUN_VALUE_OPTIONS = {"--config", "--broker", "--backdoor-port", "--define"}
SEVERITIES = {"critical", "warning", "info"}
# metric names the services export and the alert rules must watch
ALERTED_METRICS = [
    "gongkai_outbox_backlog",
    "gongkai_dead_letters",
    "gongkai_worker_errors_total",
    "gongkai_worker_duration_seconds",
    "gongkai_feedback_overdue",
    "gongkai_audit_failures_total",
    "gongkai_login_failures_total",
    "gongkai_accounts_locked",
    "gongkai_rate_limited_total",
]


def _load_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)  # SafeLoader resolves the `<<: *anchor` merge keys


COMPOSE: dict[str, Any] = _load_yaml(COMPOSE_FILE)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def _is_app(spec: dict[str, Any]) -> bool:
    """Built from the project's image (deploy/Dockerfile)."""
    build = spec.get("build")
    if build is None:
        return False
    if isinstance(build, str):  # `build: <context>` means <context>/Dockerfile
        return False
    return Path(build.get("dockerfile", "Dockerfile")).as_posix() == DOCKERFILE


def _is_one_shot(spec: dict[str, Any]) -> bool:
    """A job (e.g. the demo loader in a profile), not a long-running service. A service with
    no restart policy at all counts as long-running (and fails for want of one)."""
    return bool(spec.get("profiles")) or spec.get("restart", "always") in ("no", False)


APP_SERVICES = sorted(name for name, spec in SERVICES.items() if _is_app(spec))
LONG_RUNNING_APPS = [name for name in APP_SERVICES if not _is_one_shot(SERVICES[name])]


def _environment(spec: dict[str, Any]) -> dict[str, str]:
    env = spec.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def _metrics_port(service: str) -> int | None:
    address = _environment(SERVICES[service]).get("METRICS_ADDRESS")
    return _port(address) if address else None


def _commands(spec: dict[str, Any]) -> list[list[str]]:
    """The simple commands a container runs: `sh -c "a && exec b"` gives [[a...], [b...]]."""
    command = spec.get("command")
    if command is None:
        return []
    tokens = shlex.split(command) if isinstance(command, str) else [str(t) for t in command]
    if len(tokens) >= 3 and tokens[0] in {"sh", "bash", "/bin/sh", "/bin/bash"} and tokens[1] == "-c":
        parts = re.split(r"&&|\|\||;", tokens[2])
        commands = [shlex.split(part) for part in parts]
    else:
        commands = [tokens]
    result = []
    for words in commands:
        while words and words[0] == "exec":
            words = words[1:]
        if words:
            result.append(words)
    return result


def _nameko_modules(words: list[str]) -> list[str]:
    if words[:2] != ["nameko", "run"]:
        return []
    modules, skip = [], False
    for word in words[2:]:
        if skip:
            skip = False
        elif word in NAMEKO_RUN_VALUE_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            modules.append(word.split(":", 1)[0])  # `module:ServiceClass` is allowed
    return modules


def _python_module(words: list[str]) -> tuple[str, list[str]] | None:
    if len(words) >= 3 and re.fullmatch(r"python[0-9.]*", words[0]) and words[1] == "-m":
        return words[2], words[3:]
    return None


def _module_exists(module: str) -> bool:
    path = REPO.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _service_modules(spec: dict[str, Any]) -> list[str]:
    return [m for words in _commands(spec) for m in _nameko_modules(words)]


def _expected_service_name(module: str) -> str:
    """services.units.service runs as compose service `units`; gateway.service as `gateway`."""
    parts = module.split(".")
    return parts[1] if parts[0] == "services" else parts[0]


def _depends_on(spec: dict[str, Any]) -> dict[str, str]:
    deps = spec.get("depends_on") or {}
    if isinstance(deps, list):  # short syntax means service_started
        return {name: "service_started" for name in deps}
    return {name: (opts or {}).get("condition", "service_started") for name, opts in deps.items()}


def _healthcheck_enabled(spec: dict[str, Any]) -> bool:
    check = spec.get("healthcheck")
    if not check or check.get("disable"):
        return False
    test = check.get("test")
    return bool(test) and test not in (["NONE"], "NONE")


def _healthcheck_text(spec: dict[str, Any]) -> str:
    test = spec["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else str(test)


def _bind_mounts(spec: dict[str, Any]) -> dict[Path, str]:
    """Host path (resolved against the repo) -> container path, for the short volume syntax."""
    mounts = {}
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts[(REPO / volume["source"]).resolve()] = volume["target"]
            continue
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            mounts[(REPO / source).resolve()] = target
    return mounts


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


# ---------------------------------------------------------------------------------------------
# (a) every application container runs modules that exist


def test_there_are_application_services():
    assert APP_SERVICES, f"no service in docker-compose.yml is built from {DOCKERFILE}"
    for name in APP_SERVICES:
        assert SERVICES[name]["build"].get("context", ".") in {".", "./"}, (
            f"{name}: the build context must be the repository root")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_runs_existing_modules(name):
    spec = SERVICES[name]
    commands = _commands(spec)
    assert commands, f"{name}: no command (the image has no default service)"
    modules = []
    for words in commands:
        modules += _nameko_modules(words)
        if words[:2] == ["nameko", "run"]:
            assert "--config" in words, f"{name}: nameko run without --config"
            config = words[words.index("--config") + 1]
            assert (REPO / config).is_file(), f"{name}: --config {config} is not in the repository"
        python = _python_module(words)
        if python:
            modules.append(python[0])
    assert modules, f"{name}: runs neither `nameko run <module>` nor `python -m <module>`"
    missing = [m for m in modules if not _module_exists(m)]
    assert not missing, f"{name}: runs modules that do not exist in the repository: {missing}"


@pytest.mark.parametrize("name", [n for n in APP_SERVICES if _service_modules(SERVICES[n])])
def test_app_service_is_named_after_its_module_and_migrates_first(name):
    spec = SERVICES[name]
    (module,) = _service_modules(spec)  # one nameko service per container: scaled on its own
    assert _expected_service_name(module) == name, (
        f"compose service {name!r} runs {module}; name it {_expected_service_name(module)!r} "
        "(Prometheus jobs and healthchecks go by that name)")
    commands = _commands(spec)
    assert commands[-1][:2] == ["nameko", "run"], f"{name}: nameko must be the last command"
    migrations = [python[1] for python in map(_python_module, commands)
                  if python and python[0] == "services.common.migrate"]
    if module.startswith("services."):
        # the migration runs first, and `&&` keeps a failed migration from starting the service
        assert migrations == [[name]], (
            f"{name}: run `python -m services.common.migrate {name}` before nameko "
            f"(found {migrations})")
        assert "&&" in str(spec["command"]), f"{name}: chain the migration and nameko with &&"
    else:
        assert not migrations, f"{name} has no database and runs no migration"


# ---------------------------------------------------------------------------------------------
# (b) every service in the code has a container


def _services_in_code() -> list[str]:
    modules = [f"services.{p.parent.name}.service" for p in sorted(REPO.glob("services/*/service.py"))]
    if (REPO / "gateway" / "service.py").is_file():
        modules.append("gateway.service")
    return modules


def test_every_service_in_the_code_has_a_container():
    run = {m for name in LONG_RUNNING_APPS for m in _service_modules(SERVICES[name])}
    missing = [m for m in _services_in_code() if m not in run]
    assert not missing, f"services with no long-running container in docker-compose.yml: {missing}"


# ---------------------------------------------------------------------------------------------
# (c) Prometheus scrapes each service on the port it serves metrics on


PROMETHEUS = _load_yaml(PROMETHEUS_DIR / "prometheus.yml")


def _scrape_targets() -> list[tuple[str, str, int]]:
    """(job, host, port) for static targets and for Docker DNS (type A) discovery."""
    targets = []
    for job in PROMETHEUS["scrape_configs"]:
        for static in job.get("static_configs") or []:
            for target in static["targets"]:
                host, _, port = target.rpartition(":")
                assert host and port.isdigit(), f"{job['job_name']}: target {target!r} is not host:port"
                targets.append((job["job_name"], host, int(port)))
        for dns in job.get("dns_sd_configs") or []:
            assert dns.get("type", "SRV") in {"A", "AAAA"}, (
                f"{job['job_name']}: Docker's DNS serves A records, not SRV")
            assert "port" in dns, f"{job['job_name']}: dns_sd_configs of type A need a port"
            targets += [(job["job_name"], name, int(dns["port"])) for name in dns["names"]]
        others = set(job) & {"file_sd_configs", "docker_sd_configs", "http_sd_configs"}
        assert not others, f"{job['job_name']}: unexpected discovery {others}"
    return targets


# the exporters' own ports: RabbitMQ's prometheus plugin and postgres_exporter
EXPORTER_PORTS = {"rabbitmq": 15692, "postgres-exporter": 9187}


def test_scrape_targets_are_compose_services_on_their_metrics_port():
    targets = _scrape_targets()
    assert targets, "prometheus.yml scrapes nothing"
    for job, host, port in targets:
        assert host in SERVICES, f"job {job}: {host} is not a service in docker-compose.yml"
        if host in EXPORTER_PORTS:
            assert port == EXPORTER_PORTS[host], f"job {job}: {host} exports on {EXPORTER_PORTS[host]}"
            continue
        metrics_port = _metrics_port(host)
        assert metrics_port is not None, f"job {job}: {host} sets no METRICS_ADDRESS"
        assert port == metrics_port, (
            f"job {job}: scrapes {host}:{port} but {host} serves metrics on {metrics_port}")


def test_every_long_running_app_service_is_scraped():
    scraped = {host for _, host, _ in _scrape_targets()}
    missing = [name for name in LONG_RUNNING_APPS if name not in scraped]
    assert not missing, f"not scraped by Prometheus: {missing}"
    assert PROMETHEUS["global"]["scrape_interval"] == "15s"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_metrics_listen_on_all_interfaces(name):
    env = _environment(SERVICES[name])
    address = env.get("METRICS_ADDRESS", "")
    assert address.startswith("0.0.0.0:"), (
        f"{name}: METRICS_ADDRESS={address!r}; the default 127.0.0.1 is unreachable from Prometheus")


def test_prometheus_loads_the_rule_files_it_is_given():
    rule_files = PROMETHEUS.get("rule_files") or []
    assert rule_files, "prometheus.yml loads no alert rules"
    mount = _bind_mounts(SERVICES["prometheus"]).get(PROMETHEUS_DIR.resolve())
    assert mount, "the prometheus service does not mount deploy/prometheus"
    for rule_file in rule_files:
        if rule_file.startswith("/"):  # absolute: must lie in the mounted directory
            assert rule_file.startswith(mount.rstrip("/") + "/"), rule_file
            rule_file = rule_file[len(mount.rstrip("/")) + 1:]
        assert (PROMETHEUS_DIR / rule_file).is_file(), f"rule file {rule_file} is missing"


# ---------------------------------------------------------------------------------------------
# (d) start-up ordering refers to real services and waits only on checked health


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_depends_on_refers_to_existing_services(name):
    for dependency, condition in _depends_on(SERVICES[name]).items():
        assert dependency in SERVICES, f"{name} depends on unknown service {dependency!r}"
        assert dependency != name
        assert condition in DEPENDS_ON_CONDITIONS, f"{name}: unknown condition {condition!r}"
        if condition == "service_healthy":
            assert _healthcheck_enabled(SERVICES[dependency]), (
                f"{name} waits for {dependency} to be healthy, but {dependency} has no healthcheck")


@pytest.mark.parametrize("name", LONG_RUNNING_APPS)
def test_app_service_has_a_healthcheck_on_a_port_it_serves(name):
    spec = SERVICES[name]
    assert _healthcheck_enabled(spec), f"{name} has no healthcheck"
    env = _environment(spec)
    ports = {str(_port(env[key])) for key in ("METRICS_ADDRESS", "GATEWAY_ADDRESS") if key in env}
    text = _healthcheck_text(spec)
    assert any(f":{port}/" in text for port in ports), (
        f"{name}: the healthcheck {text!r} probes none of its ports {sorted(ports)}")
    assert spec.get("restart") in {"unless-stopped", "always", "on-failure"}, f"{name}: restart policy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_reaches_broker_and_database_it_waits_for(name):
    spec = SERVICES[name]
    env = _environment(spec)
    deps = _depends_on(spec)

    def waits_for(host: str) -> bool:  # directly, or through a service that does
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            for dependency in _depends_on(SERVICES[current]):
                if dependency == host:
                    return True
                if dependency not in seen:
                    seen.add(dependency)
                    todo.append(dependency)
        return False

    amqp = env.get("AMQP_URI")
    assert amqp, f"{name}: no AMQP_URI (the default 127.0.0.1 is the container itself)"
    amqp_host = re.match(r"amqps?://(?:[^@/]*@)?([^:/]+)", amqp).group(1)
    assert amqp_host in SERVICES and waits_for(amqp_host), f"{name}: broker {amqp_host!r}"
    for key, url in env.items():
        if key.endswith("_DATABASE_URL"):
            db_host = re.match(r"[\w+]+://(?:[^@/]*@)?([^:/]+)", url).group(1)
            assert db_host in SERVICES and waits_for(db_host), f"{name}: {key} host {db_host!r}"
    assert deps, f"{name} starts before anything it needs"


def test_postgres_init_creates_every_database_the_services_use():
    script = POSTGRES_INIT_FILE.read_text(encoding="utf-8")
    created = set(re.search(r"^for service in ([\w ]+); do$", script, re.M).group(1).split())
    assert 'CREATE DATABASE :"role" OWNER :"role";' in script and "REVOKE ALL ON DATABASE" in script
    assert subprocess.run(["sh", "-n", str(POSTGRES_INIT_FILE)]).returncode == 0
    used = {url.rsplit("/", 1)[1].split("?")[0]
            for name in APP_SERVICES
            for key, url in _environment(SERVICES[name]).items() if key.endswith("_DATABASE_URL")}
    assert used, "no service in docker-compose.yml has a *_DATABASE_URL"
    assert used <= created, f"databases used but not created by the init script: {used - created}"
    mounts = _bind_mounts(SERVICES["postgres"])
    assert mounts.get(POSTGRES_INIT_FILE.resolve(), "").startswith("/docker-entrypoint-initdb.d/")


def test_dockerfile_builds_a_non_root_image_with_config_and_data():
    text = (REPO / DOCKERFILE).read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11[\w.-]*@sha256:[0-9a-f]{64}$", text, re.M), "base not pinned by digest"
    assert re.search(r"^COPY (pyproject\.toml )?config\.yaml ", text, re.M), "config.yaml is not copied"
    assert re.search(r"^COPY data ", text, re.M), "data/ is not copied"
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "the image runs as root"
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "var/", ".pytest_cache"):
        assert entry in ignored, f".dockerignore does not exclude {entry}"


def test_the_image_and_make_venv_install_the_locked_hashes():
    dockerfile = (REPO / DOCKERFILE).read_text(encoding="utf-8")
    (lock,) = re.findall(r"^COPY (requirements/\S+) ", dockerfile, re.M)
    assert re.search(r"pip install --require-hashes --no-deps -r ", dockerfile)
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^LOCK := requirements/test\.txt$", makefile, re.M)
    assert "--require-hashes -r $(LOCK)" in makefile
    runtime, test = _locked(REPO / lock), _locked(REPO / "requirements" / "test.txt")
    assert runtime.items() <= test.items(), "the image and the tests run different versions"
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in declared["dependencies"]:
        name = re.split(r"[=<>!~;\[ ]", requirement)[0]
        assert name.lower().replace("_", "-") in runtime, f"{name} is not in the lock"


def _locked(path: Path) -> dict[str, str]:
    """name -> version of a pip-compile/uv lock; every pin carries at least one sha256."""
    text = path.read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)(?: ;[^\\]*)? \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)",
                      text, re.M)
    assert len(pins) == len(re.findall(r"^[A-Za-z0-9_.-]+==", text, re.M)), f"a pin without hashes in {path}"
    return {name.lower(): version for name, version, _ in pins}


def _caddy_config(**env: str) -> dict[str, Any]:
    """deploy/proxy/Caddyfile as Caddy itself reads it (`caddy adapt`, which validates it)."""
    result = subprocess.run([tool("caddy", "caddy"), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                            capture_output=True, text=True, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_gateway_scales_behind_the_tls_proxy():
    assert not SERVICES["gateway"].get("ports"), "a fixed host port stops `--scale gateway=N`"
    proxy = SERVICES["proxy"]
    assert _bind_mounts(proxy).get(CADDYFILE.resolve()) == "/etc/caddy/Caddyfile"
    assert "443" in " ".join(str(p) for p in proxy["ports"]) and "gateway" in _depends_on(proxy)
    # read as text: nameko's YAML loader (in pytest) resolves ${VAR:default} in loaded values
    assert re.search(r"^\s+TRUST_PROXY: \$\{TRUST_PROXY:-true\}$", COMPOSE_FILE.read_text(encoding="utf-8"), re.M), (
        "the gateway does not take the client from the proxy's X-Forwarded-For")
    config = _caddy_config(SITE_ADDRESS="gongkai.example.gov.cn", TLS="internal")
    handlers = [node for node in _walk(config["apps"]["http"]) if "handler" in node]
    (proxying,) = [h for h in handlers if h["handler"] == "reverse_proxy"]
    assert proxying["dynamic_upstreams"] == {**proxying["dynamic_upstreams"], "source": "a", "name": "gateway",
                                             "port": str(_port(_environment(SERVICES["gateway"])["GATEWAY_ADDRESS"]))}
    headers = [h["response"]["set"] for h in handlers if h["handler"] == "headers"]
    assert any(re.match(r"max-age=\d{8,}", value) for h in headers for value in h.get("Strict-Transport-Security", []))
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"], "TLS is terminated here"
    assert config["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["module"] == "internal"
    county = _caddy_config(SITE_ADDRESS="gongkai.example.gov.cn", TLS="/certs/fullchain.pem /certs/privkey.pem")
    (files,) = county["apps"]["tls"]["certificates"]["load_files"]
    assert (files["certificate"], files["key"]) == ("/certs/fullchain.pem", "/certs/privkey.pem")
    assert _bind_mounts(proxy).get((REPO / "deploy" / "proxy" / "certs").resolve()) == "/certs"


@pytest.mark.parametrize("name", [n for n in LONG_RUNNING_APPS if n != "gateway"])
def test_services_reach_postgresql_through_pgbouncer(name):
    (url,) = [v for k, v in _environment(SERVICES[name]).items() if k.endswith("_DATABASE_URL")]
    assert "@pgbouncer:" in url
    assert "postgres" in _depends_on(SERVICES["pgbouncer"])


def test_alerts_reach_a_dingtalk_robot_through_alertmanager():
    (alerting,) = PROMETHEUS["alerting"]["alertmanagers"]
    (target,) = alerting["static_configs"][0]["targets"]
    assert target.split(":")[0] in SERVICES
    config = _load_yaml(REPO / "deploy" / "alertmanager" / "alertmanager.yml")
    urls = [hook["url"] for receiver in config["receivers"] for hook in receiver.get("webhook_configs", [])]
    assert urls and all(re.match(r"http://dingtalk:8060/dingtalk/\w+/send$", url) for url in urls)
    assert "dingtalk" in SERVICES and "prometheus-webhook-dingtalk" in SERVICES["dingtalk"]["image"]
    assert "county" in yaml.safe_load(COMPOSE["configs"]["dingtalk"]["content"])["targets"]


# ---------------------------------------------------------------------------------------------
# (e) alert rules are complete


ALERTS = _load_yaml(PROMETHEUS_DIR / "alerts.yml")
ALERT_RULES = [rule for group in ALERTS["groups"] for rule in group["rules"] if "alert" in rule]


def test_alert_rules_parse_and_are_named_uniquely():
    assert ALERT_RULES, "alerts.yml has no alert rules"
    names = [rule["alert"] for rule in ALERT_RULES]
    assert len(names) == len(set(names)), f"duplicate alert names: {names}"


@pytest.mark.parametrize("rule", ALERT_RULES, ids=lambda rule: rule["alert"])
def test_alert_rule_has_expr_severity_and_summary(rule):
    assert isinstance(rule.get("expr"), str) and rule["expr"].strip(), "no expr"
    assert (rule.get("labels") or {}).get("severity") in SEVERITIES, "labels.severity"
    assert str((rule.get("annotations") or {}).get("summary", "")).strip(), "annotations.summary"


@pytest.mark.parametrize("metric", ALERTED_METRICS + ["up"])
def test_alerts_watch_metric(metric):
    pattern = re.compile(rf"\b{metric}(_bucket|_sum|_count)?\b(?!_)")
    assert any(pattern.search(rule["expr"]) for rule in ALERT_RULES), f"no alert on {metric}"


# ---------------------------------------------------------------------------------------------
# (f) the dashboard uses the provisioned data source


DATASOURCES = _load_yaml(DATASOURCES_FILE)["datasources"]
DASHBOARD = json.loads(DASHBOARD_FILE.read_text(encoding="utf-8"))


def test_provisioned_datasource_points_at_the_prometheus_service():
    (prometheus,) = [ds for ds in DATASOURCES if ds["type"] == "prometheus"]
    assert prometheus["uid"] == "prometheus"
    host = re.match(r"https?://([^:/]+)", prometheus["url"]).group(1)
    assert host in SERVICES, f"data source url {prometheus['url']} is not a compose service"
    mounts = _bind_mounts(SERVICES["grafana"])
    assert mounts.get((GRAFANA_DIR / "provisioning").resolve()) == "/etc/grafana/provisioning"


def test_dashboard_datasources_match_the_provisioned_uid():
    uids = {ds["uid"] for ds in DATASOURCES}
    refs = [node["datasource"] for node in _walk(DASHBOARD) if "datasource" in node]
    assert refs, "the dashboard names no data source"
    for ref in refs:
        assert isinstance(ref, dict), f"data source by name ({ref!r}), not by uid"
        if ref.get("type") == "grafana":  # the built-in annotation source
            continue
        assert ref.get("uid") in uids, f"data source uid {ref.get('uid')!r} is not provisioned"


def test_dashboard_is_loaded_from_where_it_is_mounted():
    (provider,) = _load_yaml(DASHBOARD_PROVIDER_FILE)["providers"]
    assert provider["type"] == "file"
    mount = _bind_mounts(SERVICES["grafana"]).get(DASHBOARD_FILE.parent.resolve())
    assert mount == provider["options"]["path"], (
        f"Grafana reads dashboards from {provider['options']['path']}, "
        f"deploy/grafana/dashboards is mounted at {mount}")


def test_dashboard_shape():
    assert DASHBOARD["schemaVersion"] == 39
    assert DASHBOARD["title"] == "Gongkai — county progress and plumbing"
    panels = [p for p in _walk(DASHBOARD.get("panels", [])) if "gridPos" in p]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    exprs = " ".join(t["expr"] for p in panels for t in p.get("targets", []))
    for metric in ALERTED_METRICS + [
        "gongkai_events_published_total", "gongkai_events_consumed_total",
        "gongkai_events_failed_total", "gongkai_events_dead_lettered_total",
        "gongkai_notifications_total", "gongkai_obligations", "gongkai_feedback",
    ]:
        assert re.search(rf"\b{metric}\b", exprs) or (
            metric == "gongkai_worker_duration_seconds" and f"{metric}_bucket" in exprs), (
            f"no panel shows {metric}")


def test_every_application_process_reads_the_same_data_key_file():
    """One key file for every service and replica (a compose secret), production mode on: a
    process without it refuses to start instead of sealing with keys of its own."""
    assert "data-keys" in COMPOSE["secrets"]
    for name, spec in SERVICES.items():
        if _is_app(spec):
            env = _environment(spec)
            assert env.get("GONGKAI_DATA_KEY_FILE") == "/run/secrets/data-keys", name
            assert "data-keys" in (spec.get("secrets") or []), name
            assert "production" in env.get("GONGKAI_ENV", ""), name


REQUIRED_SECRETS = ("POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "RABBITMQ_ERLANG_COOKIE", "GATEWAY_JWT_SECRET",
                    "GRAFANA_ADMIN_PASSWORD", "UNITS_DB_PASSWORD", "DISCLOSURE_DB_PASSWORD", "FEEDBACK_DB_PASSWORD",
                    "NOTIFY_DB_PASSWORD", "SUPERVISION_DB_PASSWORD")


@pytest.mark.parametrize("variable", REQUIRED_SECRETS)
def test_compose_requires_every_secret(variable):
    """No secret has a default: `${VAR:?message}` stops docker compose without it."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    uses = re.findall(r"\$\{" + variable + r"(:?[-?])?([^}]*)\}", text)
    assert uses and all(how == ":?" and message.strip() for how, message in uses), uses
    assert re.search(r"^\s+GONGKAI_ENV: \$\{GONGKAI_ENV:-production\}$", text, re.M)  # and refuses dev values


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_service_connects_as_the_role_owning_its_database(name):
    """deploy/postgres/init-databases.sh makes one role per database, its owner; pgbouncer
    knows each (its userlist is written from the same passwords)."""
    for key, url in _environment(SERVICES[name]).items():
        if key.endswith("_DATABASE_URL"):
            database = url.rsplit("/", 1)[1]
            assert url.startswith(f"postgresql+psycopg2://{database}:"), url
            variable = f"{database.upper()}_DB_PASSWORD"
            assert f"://{database}:${{{variable}:?" in COMPOSE_FILE.read_text(encoding="utf-8")
            assert variable in _environment(SERVICES["pgbouncer"]) and variable in _environment(SERVICES["postgres"])


def test_the_gateway_gets_every_portal_setting_and_disclosure_its_scan_ceiling():
    portal = config_variables("PORTAL")
    assert {"PORTAL_SITE_CODE", "PORTAL_ICP_FILING", "PORTAL_PSB_FILING"} <= portal
    assert portal <= set(SERVICES["gateway"]["environment"]), portal - set(SERVICES["gateway"]["environment"])
    assert "SCAN_CEILING_PER_ITEM_DAY" in config_variables("DISCLOSURE")
    assert "SCAN_CEILING_PER_ITEM_DAY" in SERVICES["disclosure"]["environment"]
