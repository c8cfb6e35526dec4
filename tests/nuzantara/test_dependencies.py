"""pyproject.toml declares exactly what the project imports: nothing works only because another package pulled it in."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"nuzantara", "chat", "knowledge", "routing", "memory", "tests", "bench"}
RUNTIME_DIRS = ("nuzantara", "chat", "knowledge", "routing", "memory")
# Declared packages no project file names: each is loaded by another package on our behalf.
USED_INDIRECTLY = {"psycopg": "Django's PostgreSQL backend, for a postgres:// DATABASE_URL"}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normalize(re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0))


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_requirement_name(r) for r in project["dependencies"]}
    test = {_requirement_name(r) for r in project["optional-dependencies"]["test"]}
    return runtime, test


def _python_files(*folders: str) -> list[Path]:
    files = [path for folder in folders for path in (ROOT / folder).rglob("*.py")]
    return [path for path in files if "migrations" not in path.parts]


def _third_party_imports(files: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, path)
    return found


def _undeclared(imports: dict[str, Path], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    missing = []
    for module, path in sorted(imports.items()):
        candidates = {_normalize(d) for d in distributions.get(module, [module])}
        if not candidates & declared:
            missing.append(f"{module} (imported by {path.relative_to(ROOT)})")
    return missing


def test_every_module_the_application_imports_is_a_declared_dependency():
    runtime, _ = _declared()

    missing = _undeclared(_third_party_imports(_python_files(*RUNTIME_DIRS)), runtime)

    assert missing == []


def test_every_module_tests_and_benchmarks_import_is_declared_with_the_test_extra():
    runtime, test = _declared()

    missing = _undeclared(_third_party_imports(_python_files("tests", "bench")), runtime | test)

    assert missing == []


def test_every_declared_runtime_dependency_is_used_by_the_project():
    runtime, _ = _declared()
    text = (
        "\n".join(p.read_text() for p in _python_files(*RUNTIME_DIRS, "tests", "bench"))
        + (ROOT / "Makefile").read_text()
    )
    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(_normalize(distribution), set()).add(module)

    unused = [
        name
        for name in sorted(runtime - set(USED_INDIRECTLY))
        if not any(re.search(rf"\b{re.escape(m)}\b", text) for m in modules_of.get(name, {name.replace("-", "_")}))
    ]

    assert unused == []


def test_the_license_pyproject_names_is_shipped():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    license_text = (ROOT / "LICENSE").read_text()

    assert project["license"] == "MIT"
    assert license_text.startswith("MIT License")
    assert "WITHOUT WARRANTY OF ANY KIND" in license_text
