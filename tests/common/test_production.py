"""With GONGKAI_ENV=production a process refuses to start on a development secret or the broker's
guest account, saying why in Chinese and English; outside production nothing is refused."""
import subprocess
import sys
from pathlib import Path

import pytest

from services.common import production
from services.common.config import ROOT, load_config

STRONG = "x7Qp2vL9sT4wZ8yB1nM6cR3fH5jK0dGa"


def config(amqp="amqp://gongkai:S3cret-broker@rabbitmq:5672/", jwt=STRONG):
    return {"AMQP_URI": amqp, "GATEWAY": {"JWT_SECRET": jwt}}


def test_nothing_is_refused_outside_production(monkeypatch):
    monkeypatch.delenv("GONGKAI_ENV", raising=False)
    production.check(config(amqp="amqp://guest:guest@127.0.0.1:5672/", jwt="dev"), "gateway")


@pytest.mark.parametrize("settings, service, says", [
    (config(jwt=load_config()["GATEWAY"]["JWT_SECRET"]), "gateway", "GATEWAY_JWT_SECRET is still a development default"),
    (config(jwt="compose-dev-only-secret-change-me-0123456789"), "gateway", "仍是开发用的默认值"),
    (config(jwt="short"), "gateway", "shorter than 32 characters"),
    (config(jwt=""), "gateway", "未设置或短于 32 个字符"),
    (config(amqp="amqp://guest:guest@127.0.0.1:5672/"), "units", "guest account"),
    (config(amqp="amqp://127.0.0.1:5672/"), "notify", "消息队列仍用 guest 账号"),
    (config(amqp="amqp://gongkai:gongkai@rabbitmq:5672/"), "feedback", "password equals its user name"),
])
def test_development_settings_are_refused_in_production(monkeypatch, settings, service, says):
    monkeypatch.setenv("GONGKAI_ENV", "production")
    with pytest.raises(production.RefusedInProduction, match="拒绝启动 / refusing to start in production") as refused:
        production.check(settings, service)
    assert says in str(refused.value)


def test_the_tests_cheap_password_hashes_are_refused_in_production(monkeypatch):
    monkeypatch.setenv("GONGKAI_ENV", "production")
    monkeypatch.setenv("PASSWORD_HASH_COST", "test")
    with pytest.raises(production.RefusedInProduction, match="PASSWORD_HASH_COST"):
        production.check(config(), "units")


def test_a_production_configuration_starts(monkeypatch):
    monkeypatch.setenv("GONGKAI_ENV", "production")
    production.check(config(), "gateway")
    production.check(config(jwt=""), "units")  # the services do not hold the signing key


@pytest.mark.parametrize("module", ["gateway.service", "services.units.service"])
def test_a_process_started_in_production_with_development_settings_exits(module, tmp_path: Path):
    """nameko run itself stops, before serving anything, and says why."""
    keys = tmp_path / "data-keys.json"
    subprocess.run([sys.executable, "-c", "from services.common import crypto; import json, sys; "
                    f"open({str(keys)!r}, 'w').write(json.dumps(crypto.new_key_spec('AES-256-GCM')))"],
                   cwd=ROOT, check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "GONGKAI_ENV": "production",
           "GONGKAI_DATA_KEY_FILE": str(keys), "PYTHONWARNINGS": "ignore",
           "UNITS_DATABASE_URL": f"sqlite:///{tmp_path}/units.db", "METRICS_ADDRESS": "127.0.0.1:0"}
    nameko = Path(sys.executable).with_name("nameko")
    ran = subprocess.run([str(nameko), "run", "--config", str(ROOT / "config.yaml"), module], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode != 0
    assert "refusing to start in production" in ran.stderr and "guest" in ran.stderr, ran.stderr[-2000:]
    assert ("GATEWAY_JWT_SECRET" in ran.stderr) == (module == "gateway.service")
