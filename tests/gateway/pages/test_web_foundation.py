"""The web foundation (gateway/pages) without the services: CSRF tokens, Chinese dates in the
county's time zone, form messages, autoescaping, and against a lone gateway process the static
CSS with its year-long cache and 304, and the pages' HTML error answers with their CSP."""
import pytest
import requests
from marshmallow import Schema, fields, validate

from gateway.pages.kit import render
from gateway.pages.kit.csrf import CsrfRefused, CsrfTokens
from gateway.pages.kit.forms import validate_form
from gateway.pages.kit.pages import PAGE_CSP


def test_a_csrf_token_is_good_once_for_whom_it_was_given_and_until_it_expires():
    now = [1_000_000.0]
    tokens = CsrfTokens("secret", ttl_seconds=60, clock=lambda: now[0])
    token = tokens.issue("alice")
    with pytest.raises(CsrfRefused):
        tokens.check(token, "bob")  # another reader's
    with pytest.raises(CsrfRefused):
        CsrfTokens("another secret").check(token, "alice")  # forged: signed under another key
    with pytest.raises(CsrfRefused):
        tokens.check(token[:-2] + "00", "alice")
    with pytest.raises(CsrfRefused):
        tokens.check(None)
    tokens.check(token, "alice")
    with pytest.raises(CsrfRefused, match="已经提交过"):
        tokens.check(token, "alice")  # replayed
    late = tokens.issue("")
    now[0] += 61
    with pytest.raises(CsrfRefused, match="过期"):
        tokens.check(late, "")


def test_dates_are_shown_in_chinese_on_the_countys_calendar():
    assert render.cn_date("2026-12-01") == "2026年12月1日"
    assert render.cn_date("2026-11-30T17:30:00+00:00") == "2026年12月1日"  # 01:30 in the county
    assert render.cn_date("2026-11-30T17:30:00") == "2026年12月1日"  # services' naive UTC
    assert render.cn_datetime("2026-11-30T17:30:00Z") == "2026年12月1日 01:30"
    assert render.cn_date(None) == "" and render.percent(0.875) == "88%" and render.percent(None) == "—"


def test_form_errors_are_chinese_and_name_the_field():
    class Shape(Schema):
        content = fields.String(required=True, validate=validate.Length(1, 10))
        kind = fields.String(required=True, validate=validate.OneOf(("a", "b")))

    data, errors = validate_form(Shape(), {"content": "x" * 11, "kind": "c"}, {"content": "内容", "kind": "类别"})
    assert data == {} and errors == {"content": "内容最多 10 字，现在有 11 字，请删减。", "kind": "请从给出的选项中选择类别。"}
    assert validate_form(Shape(), {"kind": "a"}, {"content": "内容"})[1] == {"content": "请填写内容。"}


def test_every_template_value_is_escaped():
    html = render.render_text("error.html", site={"county": "<b>县</b>", "hotline": ""}, viewer=None,
                              title="<script>alert(1)</script>", message="a & b", code=404, request_id="x")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "&lt;b&gt;县" in html
    assert '<html lang="zh-CN">' in html and "viewport" in html


@pytest.fixture
def gateway(lone_gateway):
    return lone_gateway.api


def test_the_css_is_cached_for_a_year_and_revalidates_with_304(gateway):
    css = requests.get(gateway + render.static_url("gongkai.css"), timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert "max-age=31536000" in css.headers["Cache-Control"] and "@font-face" not in css.text
    again = requests.get(gateway + "/static/gongkai.css", headers={"If-None-Match": css.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    missing = requests.get(gateway + "/static/nothing.css", timeout=10)
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html")
    assert "页面不存在" in missing.text and missing.headers["Content-Security-Policy"] == PAGE_CSP
    assert "Traceback" not in missing.text and "<script" not in missing.text


def test_periods_are_named_in_chinese_on_the_unit_page():
    from services.disclosure.portal import period_label

    assert [period_label(p) for p in ("2026", "2026-H1", "2026-Q3", "2026-07", "E12", None)] == [
        "2026年", "2026年上半年", "2026年第三季度", "2026年7月", "随时公开", ""]
