"""No import cycles between bot's packages: the domain never reaches up into a front end.

Each direct child of ``bot`` (a package such as ``bot.cases`` or a module such as ``bot.identity``) is a node;
an import anywhere in a file (module top, function body, ``TYPE_CHECKING`` block) is an edge from the file's node
to the imported node. ``bot.cli`` and ``bot.runner`` put everything together, so they may import anything (their
edges are left out); every other package must form an acyclic graph.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
COMPOSERS = {"bot.cli", "bot.runner", "bot.__main__"}  # entry points that wire everything together


def node_of(module: str) -> str | None:
    """``bot.cases.lookup`` -> ``bot.cases``; ``bot.identity`` -> ``bot.identity``; non-bot modules -> None."""
    parts = module.split(".")
    if parts[0] != "bot" or len(parts) < 2:
        return None
    child = parts[1]
    if (BOT / child).is_dir() or (BOT / f"{child}.py").is_file():
        return f"bot.{child}"
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (absolute names) with the line it does so on."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # `from bot import channels` imports the module bot.channels
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def package_graph() -> dict[str, dict[str, str]]:
    """node -> {imported node: "file:line" of the first such import}."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(BOT.rglob("*.py")):
        source = node_of(module_name(path))
        if source is None or source in COMPOSERS:
            continue
        for module, line in imported_modules(path):
            target = node_of(module)
            if target is not None and target != source:
                graph[source].setdefault(target, f"{path.relative_to(BOT.parent)}:{line}")
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_packages_of_bot_form_no_cycle():
    graph = package_graph()
    cycle = find_cycle(graph)
    if cycle:
        steps = [f"{a} -> {b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)]
        raise AssertionError("import cycle between bot's packages:\n  " + "\n  ".join(steps))


def test_the_domain_does_not_import_front_ends():
    graph = package_graph()
    for domain in ("bot.cases", "bot.handoff", "bot.notifications", "bot.policy", "bot.channels", "bot.identity"):
        assert "bot.frontends" not in graph.get(domain, {}), graph[domain]["bot.frontends"]


def test_the_checker_sees_cycles():
    """The test above would notice: a made-up graph with a cycle, and imports of every form."""
    assert find_cycle({"a": {"b": ""}, "b": {"c": ""}, "c": {"a": ""}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": ""}, "b": {}, "c": {"a": ""}}) is None
    imports = {name for name, _ in imported_modules(BOT / "notifications" / "worker.py")}
    assert {"bot.channels", "bot.notifications.outbox", "bot.db.session"} <= imports
    assert node_of("bot.cases.lookup") == "bot.cases" and node_of("bot.identity") == "bot.identity"
    assert node_of("telegram.ext") is None
