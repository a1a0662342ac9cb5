"""The documentation a newcomer walks: README.md and docs/*.md. The route tables of docs/api.md
and the event catalogue of docs/events.md are generated (scripts/gen_docs.py, `make docs`) and
must not drift from the policy table and the contract; every link leads somewhere; every API
path the prose names is a route. No broker, no database."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from gateway import policy

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", *DOCS]
REGENERATE = "run `make docs` (python scripts/gen_docs.py) and commit the result"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_docs = _generator()


@pytest.mark.parametrize("path", sorted(gen_docs.SECTIONS), ids=lambda p: p.name)
def test_generated_parts_are_up_to_date(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert gen_docs.render(text, gen_docs.SECTIONS[path]) == text, f"{path.name} is stale: {REGENERATE}"


def test_every_route_and_page_is_in_the_api_document() -> None:
    text = gen_docs.API_DOC.read_text(encoding="utf-8")
    for method, rule in [*policy.POLICY, *policy.PAGES]:
        assert f"| {method} | `{gen_docs.readable_path(rule)}` |" in text, (method, rule)


def test_every_event_type_is_in_the_catalogue() -> None:
    text = gen_docs.EVENTS_DOC.read_text(encoding="utf-8")
    for name, event in gen_docs.CATALOGUE.items():
        assert f"| `{name}` | {event.version} |" in text, name


def test_a_stale_table_is_caught() -> None:
    """The check compares the whole section, so a hand edit inside the markers is undone."""
    text = gen_docs.API_DOC.read_text(encoding="utf-8").replace("| GET | `/readyz` | anyone |",
                                                                 "| GET | `/readyz` | admin |")
    assert gen_docs.render(text, gen_docs.SECTIONS[gen_docs.API_DOC]) != text


def test_missing_markers_are_an_error() -> None:
    with pytest.raises(ValueError, match="markers"):
        gen_docs.render("# no markers here\n", {"routes": gen_docs.routes_section})


def test_readable_paths() -> None:
    assert gen_docs.readable_path("/api/v1/items/<id:item_id>/<any(submit,review):action>") == \
        "/api/v1/items/{item_id}/{submit,review}"
    assert gen_docs.readable_path("/console/feedback/<id:feedback_id>/<any(accept,'approve-answer'):action>") == \
        "/console/feedback/{feedback_id}/{accept,approve-answer}"
    assert gen_docs.readable_path("/static/<name>") == "/static/{name}"


def test_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines < 200, f"README.md has {lines} lines: move the detail into docs/ and link to it"


# --- links and anchors -------------------------------------------------------------------

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation (CJK's too) dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(h) for h in _HEADING.findall(_FENCE.sub("", path.read_text(encoding="utf-8")))}


def test_anchor_follows_github() -> None:
    assert anchor("Feedback (意见建议): 谁公开谁收集、谁办理谁回复") == "feedback-意见建议-谁公开谁收集谁办理谁回复"
    assert anchor("The staff console (工作台) and accounts") == "the-staff-console-工作台-and-accounts"
    assert anchor("`/api/v1/units`") == "apiv1units"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_lead_somewhere(page: Path) -> None:
    broken = []
    for target in _LINK.findall(_FENCE.sub("", page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        file, _, fragment = target.partition("#")
        linked = (page.parent / file).resolve() if file else page
        if not linked.exists():
            broken.append(f"{target}: no file {linked.relative_to(ROOT)}")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no heading #{fragment} in {linked.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


# --- API paths named in the prose ----------------------------------------------------------

_API_PATH = re.compile(r"(?<![\w…/])/api/v1/[\w\-{}.,/]*")


def _route_pattern(rule: str) -> re.Pattern[str]:
    """A rule as a regular expression: a variable is any segment, an any(…) one of its words."""
    pattern, at = "", 0
    for variable in re.finditer(r"<(?:any\((?P<words>[^)]*)\):)?[^>]+>", rule):
        pattern += re.escape(rule[at:variable.start()])
        words = variable["words"]
        pattern += ("(?:" + "|".join(re.escape(w.strip().strip("'\"")) for w in words.split(",")) + ")"
                    if words else "[^/]+")
        at = variable.end()
    return re.compile(pattern + re.escape(rule[at:]))


def _as_path(written: str) -> str:
    """/api/v1/units/{code}/officials/{secretary,liaison} → /api/v1/units/x/officials/secretary"""
    written = re.sub(r"\{([^},]*),[^}]*\}", r"\1", written)  # one of several words: the first
    return re.sub(r"\{[^}]*\}", "x", written).rstrip(".,/")


ROUTES = [_route_pattern(rule) for _, rule in {**policy.POLICY, **policy.PAGES}]  # areas add API rows to PAGES


def test_route_patterns() -> None:
    relation = _route_pattern("/api/v1/units/<code:code>/<any(children,subtree,ancestors):relation>")
    assert relation.fullmatch(_as_path("/api/v1/units/{code}/{children,subtree}"))
    assert not relation.fullmatch(_as_path("/api/v1/units/{code}/bogus"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_api_paths_named_are_routes(page: Path) -> None:
    """A path written out in full (`/api/v1/units/{code}/move`) must be a route of the policy
    table; one shortened with … is left alone."""
    unknown = set()
    for found in _API_PATH.findall(page.read_text(encoding="utf-8")):
        path = _as_path(found)
        if path != "/api/v1" and not any(route.fullmatch(path) for route in ROUTES):
            unknown.add(found)
    assert not unknown, f"{page.name} names paths that are no route: {sorted(unknown)}"
