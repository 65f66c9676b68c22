"""`households.services` and `households.admin` are packages by subject (STYLE 2, 30): callers import from the
package (`from households.services import log_action`, `from households.admin import RightsAdminMixin`), so
every public name of each module is the package's, the same object."""

import ast
import importlib
from pathlib import Path

import pytest

import households.admin
import households.services

PACKAGES = [households.services, households.admin]


def public_names(path: Path) -> list[str]:
    """The public names a module defines at its top level: functions, classes, constants."""
    names = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [name for name in names if not name.startswith("_")]


def modules_of(package) -> list[tuple[str, Path]]:
    root = Path(package.__file__).parent
    return [(f"{package.__name__}.{path.stem}", path) for path in sorted(root.glob("*.py")) if path.stem != "__init__"]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.__name__)
def test_every_public_name_of_a_packages_modules_is_the_packages_own(package):
    missing, other = [], []
    for name, path in modules_of(package):
        module = importlib.import_module(name)
        for public in public_names(path):
            if public not in package.__all__:
                missing.append(f"{name}.{public}")
            elif getattr(package, public) is not getattr(module, public):
                other.append(f"{name}.{public}")
    assert (missing, other) == ([], [])
    assert sorted(package.__all__) == sorted(set(package.__all__))


def imported_names(path: Path) -> set[str]:
    """What a module imports, absolute, with each name of `from a import b` as `a` and `a.b` (. for relative)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_the_packages_modules_import_each_other_by_name_never_their_own_package():
    # a module importing its package (`from households.services import log_action` inside `registry`) would go
    # through the package's `__init__`, which imports that module: an import cycle
    offenders = [
        f"{name} imports {imported}"
        for package in PACKAGES
        for name, path in modules_of(package)
        for imported in sorted(imported_names(path))
        if imported == package.__name__ or imported.startswith(".")
    ]
    assert offenders == []


def test_the_names_the_other_apps_import_are_still_there():
    from households.admin import (  # noqa: F401
        HOUSEHOLD_PAGE,
        CommuneFilter,
        HouseholdAdmin,
        RightsAdminMixin,
        RightsInlineMixin,
        VillageFilter,
        audit_history_table,
        contribute_to_household_page,
        plain_choices,
    )
    from households.services import audit_entry, check_row, log_action  # noqa: F401

    assert households.services.create_households is households.services.registry.create_households
    assert households.services.log_action is households.services.audit.log_action
