"""Messages a person reads, in zh-CN (the default) or English (for integrators who send
Accept-Language: en), from gettext catalogues kept as .po files under services/common/locale/.

Messages are written where they are raised, with their values in them (an f-string), in
Chinese in new code and in English in older code. A catalogue entry's msgid is such a message
with its values as `{name}` placeholders, its msgstr the same in the other language:

- locale/zh_CN: the older English messages, in Chinese (applied by default);
- locale/en: the Chinese messages, in English (applied for Accept-Language: en).

`translate(message, language)` finds the entry whose msgid matches the whole message, takes the
values out and puts them into the msgstr; a message without an entry is left as it is (a
Chinese one stays Chinese by default, an English one English for `en`). The error envelope's
`code` is never translated: it stays the stable key for programs.

A value that is itself a name people read (a status, an action, a role: `published`, `approve`,
`reviewer`) is named after its kind in the msgid (`{item_status}`, `{item_action}`, `{role}`)
and the catalogue gives each name of that kind with the kind as its msgctxt::

    msgctxt "item_status"
    msgid "published"
    msgstr "已公开"

so "item 7 is published" reads "事项 7 已公开", not "事项 7 现在是 published". A placeholder
named in the plural of a kind (`{item_statuses}`, `{roles}`) holds a list ("submitted or
reviewed", "a, b"): each name is given and the joins become Chinese (或, 、), or back to
English for `en`. Two values of one kind in a msgid are told apart after a double underscore
(`{plan_status__needed}`, `{plan_status__now}`). A name without an entry is kept as it is.

The .po files are compiled to .mo with Babel when first used (no binaries in the repository);
`python -m services.common.i18n check` compiles both and fails on an entry whose placeholders
differ between msgid and msgstr, or whose msgid uses one placeholder twice (each is one value
taken out of the message).
"""
from __future__ import annotations

import gettext
import io
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
DEFAULT = "zh_CN"
LANGUAGES = ("zh_CN", "en")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
CONTEXT = "\x04"  # gettext's separator of a msgctxt and its msgid in a compiled catalogue
JOINS = {"zh_CN": (re.compile(r"( or | and |, )"), {" or ": "或", " and ": "和", ", ": "、"}),
         "en": (re.compile(r"(或|、)"), {"或": " or ", "、": ", "})}


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(language: str) -> gettext.GNUTranslations:
    """The language's .po compiled to .mo (in memory) and loaded as gettext translations."""
    with open(po_path(language), "rb") as po:
        catalogue = read_po(po, locale=language)
    mo = io.BytesIO()
    write_mo(mo, catalogue)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def _pattern(msgid: str) -> re.Pattern[str]:
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[last:match.start()]))
        parts.append(f"(?P<{match.group(1)}>.+?)")
        last = match.end()
    parts.append(re.escape(msgid[last:]))
    return re.compile("".join(parts), re.DOTALL)


@cache
def _entries(language: str) -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Exact messages, and the templates (with placeholders) longest first."""
    catalog = {k: v for k, v in compile_catalogue(language)._catalog.items()
               if isinstance(k, str) and k and CONTEXT not in k}
    exact = {k: v for k, v in catalog.items() if not PLACEHOLDER.search(k)}
    templates = sorted(((k, v) for k, v in catalog.items() if PLACEHOLDER.search(k)), key=lambda kv: -len(kv[0]))
    return exact, tuple((_pattern(k), v) for k, v in templates)


@cache
def _terms(language: str) -> dict[str, dict[str, str]]:
    """The names of each kind (msgctxt): {kind: {name: its text in the language}}."""
    found: dict[str, dict[str, str]] = {}
    for key, text in compile_catalogue(language)._catalog.items():
        if isinstance(key, str) and CONTEXT in key and text:
            kind, _, name = key.partition(CONTEXT)
            found.setdefault(kind, {})[name] = text
    return found


def term(kind: str, name: str, language: str = DEFAULT) -> str:
    """One name of a kind in the language (the name itself when the catalogue has none)."""
    return _terms(language).get(kind, {}).get(name, name) if language in LANGUAGES else name


def _value(language: str, placeholder: str, value: str) -> str:
    """A value taken out of a message, as it goes into the msgstr: a name of the kind the
    placeholder is named after given in the language, a list of them joined in it."""
    terms, kind = _terms(language), placeholder.split("__")[0]
    if kind in terms:
        return terms[kind].get(value, value)
    one = next((kind[:-n] for n in (1, 2) if kind[-n:] in ("s", "es") and kind[:-n] in terms), None)
    if one is not None:  # a list: roles (of role), item_statuses (of item_status)
        names, (splitter, joins) = terms[one], JOINS[language]
        return "".join(joins.get(part, names.get(part, part)) for part in splitter.split(value))
    return value


def language_of(accept_language: str | None) -> str:
    """zh_CN unless the caller prefers English to Chinese (Accept-Language: en, en-US, ...)."""
    best, best_q = DEFAULT, -1.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        kind = "en" if tag == "en" or tag.startswith("en-") else DEFAULT if tag.startswith("zh") or tag == "*" else None
        if kind is not None and q > 0 and q > best_q:  # q=0 (or unreadable): not acceptable
            best, best_q = kind, q
    return best


def translate(message: str, language: str = DEFAULT) -> str:
    if not message or language not in LANGUAGES:
        return message
    exact, templates = _entries(language)
    if message in exact:
        return exact[message]
    for pattern, template in templates:
        found = pattern.fullmatch(message)
        if found:
            values = {name: _value(language, name, value) for name, value in found.groupdict().items()}
            return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    return message


def translate_problems(problems: Any, language: str = DEFAULT) -> Any:
    """marshmallow's messages per field ({field: [message]}, nested for nested fields), each
    message in the language: what a page or a message built from them shows."""
    if isinstance(problems, dict):
        return {key: translate_problems(value, language) for key, value in problems.items()}
    if isinstance(problems, (list, tuple)):
        return [translate_problems(value, language) for value in problems]
    return translate(problems, language) if isinstance(problems, str) else problems


def check() -> list[str]:
    """Problems of the catalogues: entries whose placeholders differ, or that are untranslated."""
    problems = []
    for language in LANGUAGES:
        for msgid, msgstr in compile_catalogue(language)._catalog.items():
            if not isinstance(msgid, str) or not msgid:
                continue
            if not msgstr:
                problems.append(f"{language}: no translation for {msgid!r}")
            elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(msgstr)):
                problems.append(f"{language}: placeholders differ in {msgid!r}")
            elif len(PLACEHOLDER.findall(msgid)) != len(set(PLACEHOLDER.findall(msgid))):
                problems.append(f"{language}: a placeholder is used twice in {msgid!r} (name the second apart)")
    return problems


if __name__ == "__main__":
    found = check()
    print("\n".join(found) or f"catalogues {', '.join(LANGUAGES)}: ok")
    sys.exit(1 if found else 0)
