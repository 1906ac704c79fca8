"""The house's one rule, read from the code's own imports: every import points down, and none loops.

docs/architecture.md draws the layers. From the bottom:

1. foundations: the database, tokens, time, languages, URLs, form fields and log
   redaction — nothing of the product's features;
2. events: what an event is, its content and questions, its public reading;
3. mail (the outbox and the worker that sends it) and the audit log, both about events;
4. auth (organisers, roles, the access checks); 5. registrations;
   6. the editor and the public feeds; 7. exports; 8. speakers — the features, each on the
   ones below it;
9. the web: every view module (a package's ``views/``), and what all pages share;
10. the app on top: create_app, the command line, the server, the jobs, the demo.

A module imports only from its own layer or those below (inside one feature,
its models, forms and services as it needs them); a view is imported only by
the app. A module that runs an import inside a function still imports: the
test reads every import statement, wherever it stands.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from rsvp import ROOT

PACKAGE = ROOT / "rsvp"

#: Layer of each module, by its dotted name's longest matching prefix (views come first).
LAYERS: list[tuple[int, tuple[str, ...]]] = [
    (1, ("rsvp.db", "rsvp.extensions", "rsvp.tokens", "rsvp.timeutil", "rsvp.i18n", "rsvp.fields",
         "rsvp.urls", "rsvp.privacy.logs", "rsvp.personal", "rsvp.sealing",
         "rsvp.ratelimits", "rsvp.writequeue", "rsvp.postgresql", "rsvp.livepush", "rsvp.qr",
         "rsvp.rows", "rsvp.signing", "rsvp.csrf")),
    (2, ("rsvp.events",)),
    (3, ("rsvp.mail", "rsvp.mail.claims", "rsvp.privacy")),
    (4, ("rsvp.auth", "rsvp.site")),
    (5, ("rsvp.registrations", "rsvp.registrations.reminders")),
    (6, ("rsvp.editor", "rsvp.editor.lifecycle", "rsvp.editor.lifecycle_forms", "rsvp.editor.file_forms",
         "rsvp.editor.choices", "rsvp.feeds", "rsvp.attendance")),
    (7, ("rsvp.exports",)),
    (8, ("rsvp.speakers", "rsvp.api", "rsvp.webhooks", "rsvp.embed")),
    (9, ("rsvp.web", "rsvp.session_cookie", "rsvp.language")),
    (10, ("rsvp.cli", "rsvp.serve", "rsvp.jobs", "rsvp.demo", "rsvp.keys")),
]
WEB = 9
APP = 10
TOP = ("rsvp",)  # rsvp/__init__.py: create_app


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_view(name: str) -> bool:
    return ".views" in f"{name}." and not name.startswith("rsvp.views")


def layer(name: str) -> int:
    if name in TOP:
        return APP
    if is_view(name):
        return WEB
    best = max(((len(prefix), rank) for rank, prefixes in LAYERS for prefix in prefixes
                if name == prefix or name.startswith(prefix + ".")), default=None)
    assert best is not None, f"{name}: which layer? add it to LAYERS (and docs/architecture.md)"
    return best[1]


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every rsvp module ``path`` imports (a name imported from a package counts as its module)."""
    own = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = own.split(".")[: -node.level + (1 if path.name == "__init__.py" else 0) or None]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("rsvp"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield candidate if candidate in known else base
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("rsvp"))


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {target for target in imports(path, known) if target != name}
            for name, path in known.items()}


def upward(edges: dict[str, set[str]]) -> list[str]:
    found = []
    for source, targets in edges.items():
        for target in targets:
            if target == "rsvp":  # ROOT, the package's own path: a constant, not the app
                continue
            if layer(target) > layer(source):
                found.append(f"{source} (layer {layer(source)}) imports {target} (layer {layer(target)})")
            elif is_view(target) and layer(source) < APP and not _same_views(source, target):
                found.append(f"{source} imports the view module {target}: only the app does")
    return sorted(found)


def _same_views(source: str, target: str) -> bool:
    """A package's views folder shares its helpers among its own view modules."""
    return is_view(source) and source.split(".views")[0] == target.split(".views")[0]


def loops(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle between modules (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_import_points_down():
    assert upward(graph()) == []


def test_no_module_imports_itself_round_a_loop():
    edges = graph()
    edges.pop("rsvp", None)  # create_app imports the features it assembles; they import ROOT only
    assert loops(edges) == []


def test_the_check_sees_an_upward_import_and_a_loop():
    edges = graph()
    edges["rsvp.events.models"] = edges["rsvp.events.models"] | {"rsvp.registrations.services"}
    assert "rsvp.events.models (layer 2) imports rsvp.registrations.services (layer 5)" in upward(edges)
    edges["rsvp.registrations.services"] = edges["rsvp.registrations.services"] | {"rsvp.events.models"}
    assert any({"rsvp.events.models", "rsvp.registrations.services"} <= set(c) for c in loops(edges))


@pytest.mark.parametrize("name", sorted(modules()))
def test_every_module_has_a_layer(name):
    assert layer(name) in range(1, APP + 1)


def test_the_architecture_page_names_only_what_exists():
    """docs/architecture.md answers a newcomer with paths: each one it names is there."""
    import re

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:rsvp|templates|tests|config|migrations|deploy)/[\w/.<>-]*)", text))
    missing = [path for path in named
               if "<" not in path and not (ROOT / path).exists()]
    assert named and not missing, missing
    # The picture's numbers are the test's: each layer's line (and the lines that continue it)
    # names every module or package LAYERS puts there.
    blocks: dict[int, str] = {}
    rank = 0
    for line in text.split("```")[1].splitlines():
        numbered = re.match(r"^ *(\d+) ", line)
        rank = int(numbered.group(1)) if numbered else rank
        blocks[rank] = blocks.get(rank, "") + line
    for rank, prefixes in LAYERS:
        for prefix in prefixes:
            assert prefix.rsplit(".", 1)[1] in blocks.get(rank, ""), (rank, prefix)
