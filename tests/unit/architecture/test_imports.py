"""Packages talk through each other's ``service.py``: no module imports another package's
``models`` (its tables) or ``views`` (its routes).

Every module under ``src/liveguard`` is read with ``ast``, so every form counts:
``from liveguard.x.models import A``, ``from liveguard.x import models``,
``import liveguard.x.models``, at the top, inside a function or under ``TYPE_CHECKING``.
A module's package is the first name under ``liveguard`` (``liveguard/cases/intake.py``
is in ``cases``; a top-level module such as ``liveguard/db.py`` is its own package).
Enums live in each package's ``enums.py`` and the rows a service hands out are annotated
with the names it exports (``live_service.LiveSession``), so neither needs ``models``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import liveguard

SOURCE = Path(liveguard.__file__).parent
GUARDED = ("models", "views")

# Modules allowed to reach into other packages' tables or routes, each for a reason.
# A path ending in "/" allows everything under it.
ALLOWED = {
    "liveguard/db.py": "import_models() imports every package's tables to register them",
    "liveguard/migrations/": "Alembic's env reads the whole schema; migrations are history",
    "liveguard/web/api.py": "the one module that mounts each package's router",
}


@dataclass(frozen=True)
class Offence:
    path: str  # relative to the directory holding the ``liveguard`` package
    line: int
    target: str  # liveguard.<package>.models or .views

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.target}"


def _package(relative: Path) -> str:
    """``liveguard/cases/intake.py`` -> ``cases``; ``liveguard/db.py`` -> ``db``."""
    parts = relative.with_suffix("").parts
    return parts[1] if len(parts) > 1 else parts[0]


def _targets(node: ast.AST) -> list[str]:
    """The guarded modules an import statement reaches: ``liveguard.<package>.models``."""
    modules: list[str] = []
    if isinstance(node, ast.Import):
        modules = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        # ``from liveguard.x import models`` names the module as an imported name
        modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    found = []
    for module in modules:
        parts = module.split(".")
        if len(parts) >= 3 and parts[0] == "liveguard" and parts[2] in GUARDED:
            found.append(".".join(parts[:3]))
    return found


def offences(source: Path) -> list[Offence]:
    """Every import, anywhere in a module under ``source`` (the ``liveguard`` package
    directory), of another package's models or views."""
    found = []
    for path in sorted(source.rglob("*.py")):
        relative = path.relative_to(source.parent)
        own = _package(relative)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for target in _targets(node):
                if target.split(".")[1] != own:
                    found.append(Offence(relative.as_posix(), node.lineno, target))
    return sorted(set(found), key=lambda o: (o.path, o.line, o.target))


def _allowed(offence: Offence) -> bool:
    return any(
        offence.path.startswith(allowed) if allowed.endswith("/") else offence.path == allowed
        for allowed in ALLOWED
    )


def unexpected(source: Path) -> list[str]:
    """The offences not allowed, as ``file:line imports module``."""
    return [str(o) for o in offences(source) if not _allowed(o)]


def test_no_package_imports_another_packages_models_or_views() -> None:
    found = unexpected(SOURCE)
    assert not found, (
        "import the other package's service as a module (its enums from enums.py), "
        "not its tables or routes:\n" + "\n".join(found)
    )


def test_every_allowed_path_exists() -> None:
    missing = [path for path in ALLOWED if not (SOURCE.parent / path).exists()]
    assert not missing, missing


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "liveguard" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "liveguard"


@pytest.mark.parametrize(
    ("text", "line", "target"),
    [
        ("from liveguard.live.models import LiveSession\n", 1, "liveguard.live.models"),
        ("from liveguard.live import models\n", 1, "liveguard.live.models"),
        ("from liveguard.live import service, views\n", 1, "liveguard.live.views"),
        ("import liveguard.live.models\n", 1, "liveguard.live.models"),
        ("import liveguard.live.models.deeper as deeper\n", 1, "liveguard.live.models"),
        ("def f():\n    from liveguard.live.models import A\n", 2, "liveguard.live.models"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from liveguard.live.models import A\n",
            3,
            "liveguard.live.models",
        ),
    ],
)
def test_it_finds_a_forbidden_import_in_every_form(
    tmp_path: Path, text: str, line: int, target: str
) -> None:
    source = _tree(tmp_path, {"__init__.py": "", "cases/__init__.py": "", "cases/intake.py": text})
    assert [str(o) for o in offences(source)] == [
        f"liveguard/cases/intake.py:{line} imports {target}"
    ]


def test_it_lets_a_package_import_its_own_tables_and_other_packages_services(
    tmp_path: Path,
) -> None:
    source = _tree(
        tmp_path,
        {
            "cases/models.py": "",
            "cases/service.py": "from liveguard.cases.models import Case\n"
            "from liveguard.cases import models, views\n",
            "cases/intake.py": "from liveguard.live import service as live_service\n"
            "from liveguard.live.enums import EventKind\n"
            "from liveguard.live.schemas import SessionRead\n"
            "from .models import Case\n",  # relative: always the module's own package
        },
    )
    assert offences(source) == []


def test_a_top_level_module_is_its_own_package(tmp_path: Path) -> None:
    source = _tree(tmp_path, {"db.py": "from liveguard.auth import models as _auth\n"})
    assert [str(o) for o in offences(source)] == ["liveguard/db.py:1 imports liveguard.auth.models"]


def test_the_rule_fails_a_source_tree_with_a_forbidden_import(tmp_path: Path) -> None:
    """The check as the real test runs it, on a small tree that breaks the rule."""
    source = _tree(
        tmp_path,
        {
            "live/monitor.py": "from liveguard.enforcement.models import EnforcementAction\n",
            "web/api.py": "from liveguard.live.views import router\n",  # allowed
        },
    )
    assert unexpected(source) == [
        "liveguard/live/monitor.py:1 imports liveguard.enforcement.models"
    ]
