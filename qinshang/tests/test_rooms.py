"""The rule about rooms: a module imports only from lower rooms (or its own app), and module-level
imports form no circle. `docs/architecture.md` states the order; this test keeps it true.

A new app must be given a room here, and a new back-arrow fails the suite. The few back-arrows
that predate the rule are listed in KNOWN, each to be removed when it is fixed; an entry that no
longer occurs fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Longest prefix wins. Lower numbers are lower rooms; a room may import from any lower one.
ROOMS: dict[str, int] = {
    # the foundation: no domain knowledge
    "qinshang.errors": 0,
    "qinshang.validators": 0,
    "qinshang.industries": 0,
    "qinshang.sheets": 0,
    "qinshang.documents": 0,
    "qinshang.limits": 0,
    "qinshang.inputs": 0,
    "qinshang.replicas": 0,  # the read-replica router: Django only
    "workcal": 1,
    "orgs": 2,
    # the page layer knows users and roles, nothing of the domains
    "qinshang.pages": 3,
    "idempotency": 3,
    "accounts": 4,
    "entities": 4,
    "demands": 5,
    # the department heads' and 补充材料 notices call notifications' notify
    "demands.notices": 7,
    "notifications": 6,
    "routing": 6,
    "liaisons": 6,
    "visits": 7,
    "exchange": 7,
    "projects": 7,
    "experts": 7,
    "escalation": 7,
    "supervision": 7,
    # 园区管理 creates 金融机构 accounts tied to finance's institutions
    "parkadmin": 8,
    "finance": 7,
    # the knowledge base reads the ledger and notifies; reports read its figures
    "knowledge": 7,
    # 供需对接 links a 银企对接会 signing to finance's institution record
    "matchmaking": 8,
    "meetings": 8,
    # 惠企政策: reads entity facts, notifies liaisons; the 一企一档 page and home pages read it
    "policies": 8,
    # 一企一策 models and services sit above entities; the 一企一档 page reads every app
    "profiles": 5,
    "profiles.dossier": 9,
    "profiles.views": 9,
    "profiles.urls": 9,
    "profiles.sheets": 9,
    "profiles.api": 9,
    "reports": 9,
    "scheduling": 10,
    "ops": 11,
    "web": 12,
    "demo": 12,
    # the assembly: settings, URL conf, the API root and test helpers see everything
    "qinshang": 13,
}

# Back-arrows that predate the rule (importer -> imported module). Fix, then delete the line.
KNOWN: set[tuple[str, str]] = set()


def room(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for prefix, rank in ROOMS.items():
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > best[0]:
                best = (len(prefix), rank)
    return None if best is None else best[1]


def app_of(module: str) -> str:
    return module.split(".")[0]


def source_modules(root: Path = ROOT) -> dict[str, Path]:
    apps = {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    found = {}
    for app in sorted(apps):
        for f in (root / app).rglob("*.py"):
            rel = f.relative_to(root)
            if {"migrations", "tests", "management"} & set(rel.parts[:-1]):
                continue
            found[".".join(rel.with_suffix("").parts).removesuffix(".__init__")] = f
    return found


def imports(path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """(imported module, at module level) for every import of a project module in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(n) for n in tree.body}
    for node in tree.body:  # imports under `if TYPE_CHECKING:` count as module-level too
        if isinstance(node, ast.If):
            top_level |= {id(n) for n in node.body}
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg import mod` imports pkg.mod when that is a module of ours
            names = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                for a in node.names
            ]
        for name in names:
            if app_of(name) in {app_of(k) for k in known}:
                out.append((name, id(node) in top_level))
    return out


def back_arrows(modules: dict[str, Path]) -> set[tuple[str, str]]:
    known = set(modules)
    bad = set()
    for mod, path in modules.items():
        mine = room(mod)
        for target, _ in imports(path, known):
            if app_of(target) == app_of(mod) and not mod.startswith("qinshang"):
                continue
            theirs = room(target)
            if mine is not None and theirs is not None and theirs >= mine and target != mod:
                if app_of(target) == app_of(mod) and theirs == mine:
                    continue
                bad.add((mod, target))
    return bad


def cycles(modules: dict[str, Path]) -> list[list[str]]:
    known = set(modules)
    graph: dict[str, set[str]] = defaultdict(set)
    for mod, path in modules.items():
        for target, top in imports(path, known):
            if top and target in known and target != mod:
                graph[mod].add(target)
    found, state, stack = [], {}, []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                found.append(stack[stack.index(m) :] + [m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    return found


def test_every_app_has_a_room():
    modules = source_modules()
    missing = sorted({app_of(m) for m in modules if room(m) is None})
    assert not missing, f"这些应用还没有在 ROOMS 中指定层级：{missing}"


def test_no_new_back_arrow():
    arrows = back_arrows(source_modules())
    new = sorted(arrows - KNOWN)
    assert not new, (
        "低层模块导入了同层或更高层的模块（见 docs/architecture.md 的层级规则）：" + str(new)
    )
    fixed = sorted(KNOWN - arrows)
    assert not fixed, f"这些已知的反向依赖已经消除，请从 KNOWN 中删去：{fixed}"


def test_no_import_circle_at_module_level():
    assert cycles(source_modules()) == []


def test_the_rule_catches_a_deliberate_violation(tmp_path):
    for app, body in {
        "orgs": "from demands.models import Demand\n",
        "demands": "import orgs.models\n",
    }.items():
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
        (tmp_path / app / "models.py").write_text(body)
    modules = source_modules(tmp_path)
    assert back_arrows(modules) == {("orgs.models", "demands.models")}
    assert cycles(modules) == [["demands.models", "orgs.models", "demands.models"]]
