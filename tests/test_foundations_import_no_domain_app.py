"""The shared foundations (``safeguarding_portal/``) import no domain app: dependencies point one way, from the
domain apps (incidents, aup, filtering, ...) and the benches down to the foundations, never back. A domain
app plugs in through ``safeguarding_portal.core.plugins`` instead (see ARCHITECTURE.md).

Every module is parsed, so an import inside a function counts as much as one at the top, and so does
``import_module("incidents....")`` with a name written out in the code."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOUNDATIONS = "safeguarding_portal"
NOT_PACKAGES = frozenset({"tests", "docs", "deploy", "static", "templates", "scripts", "node_modules", ".venv"})


def domain_packages() -> frozenset[str]:
    """Every top-level package of the repository that is not the foundations: the domain apps and bench/."""
    return frozenset(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name != FOUNDATIONS and path.parent.name not in NOT_PACKAGES
    )


def _dynamic_target(node: ast.Call) -> str | None:
    """The module named by ``import_module("x.y")`` / ``__import__("x")`` (or an f-string starting with it)."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.JoinedStr) and first.values and isinstance(first.values[0], ast.Constant):
        return str(first.values[0].value)
    return None


def offending_imports(source: str, domain: frozenset[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            targets = [node.module]
        elif isinstance(node, ast.Call):
            target = _dynamic_target(node)
            targets = [target] if target else []
        for target in targets:
            if target.split(".", 1)[0] in domain:
                found.append((node.lineno, target))
    return sorted(found)


def test_the_domain_apps_are_found():
    assert {"incidents", "aup", "filtering", "curriculum", "monitoring", "duty", "bench"} <= domain_packages()


def test_the_check_sees_imports_inside_functions_and_by_name():
    source = "def f():\n    from incidents.models import Route\n    import_module(f'bench.{x}')\nimport os\n"
    assert offending_imports(source, frozenset({"incidents", "bench"})) == [(2, "incidents.models"), (3, "bench.")]


def test_no_foundation_module_imports_a_domain_app():
    domain = domain_packages()
    offences = []
    for path in sorted((ROOT / FOUNDATIONS).rglob("*.py")):
        for line, target in offending_imports(path.read_text(encoding="utf-8"), domain):
            offences.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not offences, "The foundations import domain apps (plug them in through core.plugins):\n" + "\n".join(
        offences
    )
