"""Write the generated parts of the documentation: the route tables of docs/api.md from the
policy table (gateway/policy.py) and the event catalogue of docs/events.md from the event
contract (services/common/contract). Everything between a pair of markers

    <!-- BEGIN generated: routes -->  …  <!-- END generated: routes -->

is rewritten; the prose around it is kept. tests/test_docs.py fails when a document and its
source drift apart.

    python scripts/gen_docs.py          # rewrite the generated parts (make docs)
    python scripts/gen_docs.py --check  # exit 1, naming the stale files, when one is out of date

Only gateway.policy and services.common.contract are read: no service package.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gateway import policy  # noqa: E402
from services.common.contract import CATALOGUE, SUBSCRIPTIONS, EventType  # noqa: E402

API_DOC = ROOT / "docs" / "api.md"
EVENTS_DOC = ROOT / "docs" / "events.md"
API_PREFIX = "/api/v1/"
PRODUCERS = ("units", "disclosure", "feedback", "supervision", "notify")
# a werkzeug rule's variable: <name>, <converter:name> or <any(a,b):name>
_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def readable_path(rule: str) -> str:
    """/items/<id:item_id>/<any(submit,review):action> → /items/{item_id}/{submit,review}"""
    def variable(match: re.Match[str]) -> str:
        if match["converter"] == "any":
            return "{" + ",".join(a.strip().strip("'\"") for a in match["args"].split(",")) + "}"
        return "{" + match["name"] + "}"
    return _VARIABLE.sub(variable, rule)


def who(roles: frozenset[str]) -> str:
    if roles == policy.PUBLIC:
        return "anyone"
    if roles == policy.SIGNED_IN:
        return "anyone signed in"
    order = getattr(policy, "ROLES", sorted(policy.SIGNED_IN))  # the roles in their own order
    return ", ".join(role for role in order if role in roles)


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


SERVICE_GROUP = "health and the API's own description"


def _resource(rule: str) -> str:
    """An API route's group: its resource, the first segment after /api/v1/."""
    resource = rule[len(API_PREFIX):].split("/")[0].split(".")[0] if rule.startswith(API_PREFIX) else ""
    return SERVICE_GROUP if resource in ("", "openapi", "docs") else resource


def _section(rule: str) -> str:
    """A page's section: the staff console, signing in, or the public portal."""
    if rule == "/console" or rule.startswith("/console/"):
        return "the staff console (工作台)"
    if rule.startswith(("/login", "/logout")):
        return "signing in"
    return "the public portal (一村一码)"


def _grouped(table: dict[tuple[str, str], frozenset[str]], key: Callable[[str], str]) -> list[str]:
    groups: dict[str, list[tuple[str, str, frozenset[str]]]] = {}
    for (method, rule), roles in table.items():  # the table's own order within a group
        groups.setdefault(key(rule), []).append((method, rule, roles))
    lines: list[str] = []
    for name, rows in groups.items():
        lines += ["", f"#### {name}", ""]
        lines += _table(("method", "path", "who"),
                        ((method, f"`{readable_path(rule)}`", who(roles)) for method, rule, roles in rows))
    return lines


def routes_section() -> list[str]:
    total = len(policy.POLICY) + len(policy.PAGES)
    return [
        f"{len(policy.POLICY)} API routes and {len(policy.PAGES)} pages ({total} rows of `gateway/policy.py`). "
        "`{name}` is a path parameter; `{a,b}` is one of the words listed. "
        "\"who\" is the role check only: the owning service also checks the unit and the state.",
        "",
        "### API routes",
        "",
        f"Grouped by resource, the first segment of the path after `{API_PREFIX}`.",
        *_grouped(policy.POLICY, _resource),
        "",
        "### Pages",
        *_grouped(policy.PAGES, _section),
    ]


def _field_names(event: EventType) -> str:
    fields = event.payload_schema.fields  # in declaration order (the payloads are ordered schemas)
    return ", ".join(f"`{name}`" + ("" if field.required else "?") for name, field in fields.items())


def _consumers(event: EventType) -> str:
    return ", ".join(service for service, types in SUBSCRIPTIONS.items() if event.name in types)


def events_section() -> list[str]:
    lines = [f"{len(CATALOGUE)} event types. A field marked `?` may be absent; every field's type and "
             "description is in [asyncapi.yaml](asyncapi.yaml). \"consumed by\" lists the services "
             "subscribed to the type (notify takes every type, for its rules and subscribers' webhooks); "
             "each gateway also binds a queue of its own to the item, unit and designation events that "
             "change its read model."]
    for producer in PRODUCERS:
        events = [e for e in CATALOGUE.values() if e.producer == producer]
        lines += ["", f"### {producer}", "", f"Routing keys `{producer}.<Type>`.", ""]
        lines += _table(("event", "v", "what", "payload", "consumed by"),
                        ((f"`{e.name}`", str(e.version), e.summary, _field_names(e), _consumers(e))
                         for e in events))
    missing = sorted(e.name for e in CATALOGUE.values() if e.producer not in PRODUCERS)
    assert not missing, f"events of an unlisted producer: {missing}"
    return lines


SECTIONS: dict[Path, dict[str, Callable[[], list[str]]]] = {
    API_DOC: {"routes": routes_section},
    EVENTS_DOC: {"events": events_section},
}


def render(text: str, sections: dict[str, Callable[[], list[str]]]) -> str:
    """The document with each marked section rewritten; a missing marker is an error."""
    for name, make in sections.items():
        begin, end = f"<!-- BEGIN generated: {name} -->", f"<!-- END generated: {name} -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"the markers {begin} … {end} are missing")
        body = "\n".join([begin, "", *make(), "", end])
        text = pattern.sub(lambda _: body, text, count=1)
    return text


def stale() -> list[Path]:
    return [path for path, sections in SECTIONS.items()
            if render(path.read_text(encoding="utf-8"), sections) != path.read_text(encoding="utf-8")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated part is out of date")
    args = parser.parse_args()
    if args.check:
        paths = stale()
        for path in paths:
            print(f"{path.relative_to(ROOT)} is out of date: run `make docs`", file=sys.stderr)
        sys.exit(1 if paths else 0)
    for path, sections in SECTIONS.items():
        path.write_text(render(path.read_text(encoding="utf-8"), sections), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
