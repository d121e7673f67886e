"""The engine stays pure and has one door: ``liveguard.liability`` imports nothing of the
cases, the database or the web, and the rest of LiveGuard imports only its public modules
(``service``, the ``facts`` and ``resolution`` shapes, the ``evaluate`` command)."""

import ast
from pathlib import Path

import pytest

import liveguard

SOURCE = Path(liveguard.__file__).parent
ENGINE = SOURCE / "liability"
PUBLIC = {"service", "facts", "resolution", "evaluate"}
IMPURE = ("liveguard.cases", "liveguard.db", "liveguard.web", "sqlalchemy", "fastapi")


def imported(path: Path) -> list[str]:
    """Every name a module imports, ``from a import b`` read as ``a.b``."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: write the import in full"
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def public(name: str) -> bool:
    """``liveguard.liability.facts.CaseFacts`` goes through ``facts``, a public module."""
    parts = name.split(".")
    return len(parts) > 2 and parts[2] in PUBLIC


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_the_engine_imports_no_case_database_or_web_module(path: Path):
    impure = [name for name in imported(path) if any(within(name, p) for p in IMPURE)]
    assert impure == []


def test_other_packages_reach_the_engine_only_through_its_public_modules():
    reached = [
        f"{path.relative_to(SOURCE)}: {name}"
        for path in sorted(SOURCE.rglob("*.py"))
        if ENGINE not in path.parents
        for name in imported(path)
        if within(name, "liveguard.liability") and not public(name)
    ]
    assert reached == []
