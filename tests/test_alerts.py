"""Monitoring that sees everything: promtool loads the alert rules and Prometheus' configuration,
amtool Alertmanager's; every metric an alert or a dashboard panel names is exported by the code
(or by the RabbitMQ and PostgreSQL exporters Prometheus scrapes); every service, supervision
included, is in the target alerts and the dashboard's `up` panel; the gauges read from a
service's database are counted once across replicas (`max without (instance)`). promtool and
amtool come from Debian's prometheus and prometheus-alertmanager packages (`make deploy-tools`,
which `make test` runs)."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy_tools import tool
from tests.processes import MODULES

REPO = Path(__file__).resolve().parents[1]
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
DASHBOARD = json.loads((REPO / "deploy" / "grafana" / "dashboards" / "gongkai.json").read_text(encoding="utf-8"))
RULES = [rule for group in yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8"))["groups"]
         for rule in group["rules"]]
SCRAPE_JOBS = {job["job_name"] for job in
               yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))["scrape_configs"]}

# what the exporters in docker-compose.yml and deploy/k8s export that the rules and panels use:
# RabbitMQ's prometheus plugin (rabbitmq_prometheus) and postgres_exporter
EXPORTER_METRICS = {
    "rabbitmq": {"rabbitmq_queue_messages_ready", "rabbitmq_queue_consumers"},
    "postgres": {"pg_up", "pg_stat_activity_count", "pg_settings_max_connections"},
}
PROMETHEUS_METRICS = {"up"}  # written by Prometheus itself for every target
DECLARATION = re.compile(r"\b(Counter|Gauge|Histogram|Summary|GaugeMetricFamily|CounterMetricFamily)\(\s*"
                         r"\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")
PROMQL_WORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                "offset", "inf", "nan", "le"}


def _declared() -> dict[str, str]:
    """metric name -> how it is declared, from every module of services/ and gateway/."""
    declared = {}
    for folder in ("services", "gateway"):
        for path in (REPO / folder).rglob("*.py"):
            for kind, name in DECLARATION.findall(path.read_text(encoding="utf-8")):
                declared[name] = kind
    return declared


DECLARED = _declared()
STORED_GAUGES = sorted(name for name, kind in DECLARED.items() if kind == "GaugeMetricFamily")


def _exprs() -> list[tuple[str, str]]:
    def panels(node):
        if isinstance(node, dict):
            if "gridPos" in node:
                yield node
            for value in node.values():
                yield from panels(value)
        elif isinstance(node, list):
            for value in node:
                yield from panels(value)

    rules = [(f"alert {rule['alert']}", rule["expr"]) for rule in RULES if "alert" in rule]
    shown = [(f"panel {panel['title']}", target["expr"]) for panel in panels(DASHBOARD.get("panels", []))
             for target in panel.get("targets", [])]
    return rules + shown


EXPRS = _exprs()


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not its functions, labels or keywords)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings: label values, humanize templates
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    text = re.sub(r"\boffset\s+\w+", "", text)
    text = re.sub(r"\$\w+", "", text)  # Grafana's variables
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", text):
        word = match.group(1)
        if word.lower() not in PROMQL_WORDS:
            names.add(word)
    return names


def _exported(name: str) -> bool:
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    if name in DECLARED or DECLARED.get(base) in {"Histogram", "Summary"}:
        return True
    return name in PROMETHEUS_METRICS or any(name in names for names in EXPORTER_METRICS.values())


def _promtool() -> str:
    return tool("promtool", "prometheus")


def test_promtool_loads_the_alert_rules():
    result = subprocess.run([_promtool(), "check", "rules", str(PROMETHEUS_DIR / "alerts.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {sum('alert' in rule for rule in RULES)} rules found" in result.stdout


def test_promtool_loads_the_prometheus_configuration():
    result = subprocess.run([_promtool(), "check", "config", str(PROMETHEUS_DIR / "prometheus.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_amtool_loads_the_alertmanager_configuration():
    config = REPO / "deploy" / "alertmanager" / "alertmanager.yml"
    result = subprocess.run([tool("amtool", "prometheus-alertmanager"), "check-config", str(config)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "SUCCESS" in result.stdout, result.stdout + result.stderr


def test_promtool_refuses_a_broken_rule(tmp_path):
    broken = tmp_path / "alerts.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(x[5m])\n")
    result = subprocess.run([_promtool(), "check", "rules", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0


def test_the_declarations_are_found():
    assert {"gongkai_worker_duration_seconds", "gongkai_outbox_backlog", "gongkai_rectifications",
            "gongkai_login_failures_total"} <= set(DECLARED)


@pytest.mark.parametrize("where, expr", EXPRS, ids=[where for where, _ in EXPRS])
def test_every_metric_named_is_exported(where, expr):
    names = metric_names(expr)
    assert names, f"{where}: no metric found in {expr!r}"
    missing = sorted(name for name in names if not _exported(name))
    assert not missing, f"{where} names metrics nobody exports: {missing}"


def test_an_alert_on_a_metric_nobody_exports_is_caught():
    assert not _exported("gongkai_logins_failed_total")
    assert metric_names('sum by (town) (max without (instance) (gongkai_feedback_overdue{town="x"}))') == \
        {"gongkai_feedback_overdue"}


@pytest.mark.parametrize("where, expr", EXPRS, ids=[where for where, _ in EXPRS])
def test_gauges_read_from_a_database_are_counted_once_across_replicas(where, expr):
    for name in STORED_GAUGES:
        for match in re.finditer(rf"\b{name}\b", expr):
            before = expr[:match.start()].rstrip()
            assert re.search(r"max\s+(without\s*\(\s*instance\s*\)|by\s*\([^)]*\))\s*\($", before), (
                f"{where}: {name} is not under `max without (instance)`; replicas would double it")


def _job_regex(expr: str) -> set[str]:
    (jobs,) = re.findall(r'up\{job=~"([^"]+)"\}', expr)
    return set(jobs.split("|"))


def test_every_service_is_in_the_target_alert_and_the_up_panel():
    services = set(MODULES)
    (down,) = [rule for rule in RULES if rule.get("alert") == "GongkaiTargetDown"]
    assert _job_regex(down["expr"]) == services
    (missing_rule,) = [rule for rule in RULES if rule.get("alert") == "GongkaiServiceMissing"]
    assert set(re.findall(r'absent\(up\{job="(\w+)"\}\)', missing_rule["expr"])) == services
    (up_panel,) = [expr for where, expr in EXPRS if where.startswith("panel") and "up{job" in expr]
    assert _job_regex(up_panel) == services


@pytest.mark.parametrize("job", sorted(EXPORTER_METRICS))
def test_the_exporters_are_scraped_and_watched(job):
    assert job in SCRAPE_JOBS
    assert any(re.search(rf'up\{{job="{job}"\}}', rule["expr"]) for rule in RULES if "alert" in rule)


@pytest.mark.parametrize("metric", ["gongkai_audit_failures_total", "gongkai_login_failures_total",
                                    "gongkai_accounts_locked", "gongkai_rate_limited_total"])
def test_security_signals_are_alerted(metric):
    assert any(metric in metric_names(rule["expr"]) for rule in RULES if "alert" in rule)
