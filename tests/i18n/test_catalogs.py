"""The message catalogues: complete, up to date with the code, placeholders intact; no hard-coded text."""

from __future__ import annotations

import ast
import re

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from rsvp import ROOT
from tests.i18n.conftest import TRANSLATED, catalog

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_ngettext": (1, 2)}


def code_message_ids() -> set[str]:
    """Every message id in the code and templates, extracted as `make translations-extract` does."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_catalogue_holds_exactly_the_messages_of_the_code():
    in_code = code_message_ids()
    assert len(in_code) > 900  # the extraction found the templates and the Python code
    for lang in TRANSLATED:
        in_catalog = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog(lang) if m.id}
        missing, stale = sorted(in_code - in_catalog), sorted(in_catalog - in_code)
        assert not missing, f"{lang}: run `make translations-extract` and translate: {missing[:20]}"
        assert not stale, f"{lang}: run `make translations-extract` to drop: {stale[:20]}"


def test_every_message_is_translated_with_its_placeholders(lang):
    po = catalog(lang)
    untranslated, broken = [], []
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings) or len(strings) != (
                po.num_plurals if message.pluralizable else 1):
            untranslated.append(ids[0])
            continue
        wanted = {p for msgid in ids for p in PLACEHOLDER.findall(msgid)}
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            # a singular form may leave out the number ("one person"); nothing unknown may appear
            if not found <= wanted or (not message.pluralizable and found != wanted):
                broken.append(ids[0])
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated: {untranslated[:30]}"
    assert not broken, f"{lang}: placeholders differ from the English: {broken}"


# Text that is not language: attribute names of a partial included inside a tag, units of code.
TEMPLATE_ALLOWED = re.compile(r'^(?:data-[a-z-]+="|&\w+;|\W+)$')
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
MARKUP = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->|<[^>]*>", re.S | re.I)
TEXT_ATTRIBUTE = re.compile(r'\b(?:alt|title|placeholder|aria-label)="([^"]*[A-Za-z]{2}[^"]*)"')


def test_templates_have_no_text_outside_gettext():
    """Words left after removing Jinja expressions and HTML tags were typed in without _()."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        source = JINJA.sub(" ", path.read_text(encoding="utf-8"))
        found += [f"{path.name}: {m.group(1)}" for m in TEXT_ATTRIBUTE.finditer(source)]
        text = MARKUP.sub(" ", source) if path.suffix == ".html" else source
        found += [f"{path.relative_to(ROOT)}: {word}" for word in text.split()
                  if re.search(r"[A-Za-z]{2}", word) and not TEMPLATE_ALLOWED.match(word)]
    assert not found


def _is_text(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(
        re.search(r"[A-Za-z]{2}", node.value))


def test_python_gives_no_plain_string_to_a_flash_a_form_field_or_a_validator():
    found = []
    for path in sorted((ROOT / "rsvp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            first = node.args[0] if node.args else None
            if (name == "flash" or name.endswith("Field")) and _is_text(first):
                found.append(f"{path.name}:{node.lineno} {name}")
            found += [f"{path.name}:{node.lineno} {k.arg}=" for k in node.keywords
                      if k.arg in ("label", "message", "description") and _is_text(k.value)]
    assert not found
