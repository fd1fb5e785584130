"""The layers, as a newcomer reads them: each package and what it may import.

``make lint`` checks the same with import-linter (``[tool.importlinter]`` in pyproject.toml);
this table is the one to read, and the test also catches a module left outside every layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[2] / "service"

RULES = {"service.rules", "service.config"}
MEDIA = RULES | {"service.media"}
STORAGE = RULES | {"service.storage"}
SERVICES = MEDIA | STORAGE | {"service.services"}
OPS = SERVICES | {"service.ops"}
HTTP = OPS | {"service.http"}
EDGES = {"service.api", "service.iiif", "service.web", "service.cli"}

# package -> the packages its modules may import (their own included)
ALLOWED: dict[str, set[str]] = {
    "service.config": {"service.config"},
    "service.rules": RULES,
    "service.media": MEDIA,
    "service.storage": STORAGE,
    "service.services": SERVICES,
    "service.ops": OPS,
    "service.http": HTTP,
    "service.api": HTTP | {"service.api"},
    "service.iiif": HTTP | {"service.iiif"},
    "service.web": HTTP | {"service.web"},
    "service.cli": HTTP | {"service.cli"},
    "service.app": HTTP | EDGES | {"service.app"},
    "service.gunicorn_conf": HTTP | {"service.gunicorn_conf"},
    "service.main": HTTP | EDGES | {"service.app", "service.main"},
}

# package -> third-party libraries it must not import
FORBIDDEN: dict[str, set[str]] = {
    "service.rules": {"flask", "werkzeug", "sqlalchemy", "PIL", "boto3", "botocore", "celery"}
    | {"redis", "exifread", "simplejpeg", "click", "alembic"},
    "service.media": {"flask", "werkzeug", "sqlalchemy", "boto3", "celery", "click"},
    "service.storage": {"flask", "werkzeug", "PIL", "celery", "click"},
    "service.services": {"flask", "celery", "click"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(module: str) -> str | None:
    for package in sorted(ALLOWED, key=len, reverse=True):
        if module == package or module.startswith(package + "."):
            return package
    return None


def _imports(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = sorted(SERVICE.rglob("*.py"))


def test_every_module_belongs_to_a_layer() -> None:
    outside = [
        _module_name(p)
        for p in MODULES
        if p != SERVICE / "__init__.py" and _package_of(_module_name(p)) is None
    ]
    assert outside == [], "add the module to a layer package (ARCHITECTURE.md)"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_a_module_imports_only_what_its_layer_may(path: Path) -> None:
    package = _package_of(_module_name(path))
    if package is None:
        return  # the package's own __init__ (service/__init__.py)
    internal = {m for m in _imports(path) if m.startswith("service.")}
    upward = sorted(m for m in internal if _package_of(m) not in ALLOWED[package])
    assert upward == [], f"{package} may import only {sorted(ALLOWED[package])}"
    libraries = {m.split(".")[0] for m in _imports(path)}
    assert libraries.isdisjoint(FORBIDDEN.get(package, set())), sorted(
        libraries & FORBIDDEN.get(package, set())
    )


def test_the_table_and_the_tree_name_the_same_packages() -> None:
    packages = {_module_name(p.parent) for p in SERVICE.glob("*/__init__.py")}
    modules = {_module_name(p) for p in SERVICE.glob("*.py")} - {"service"}
    assert packages | modules == set(ALLOWED)
