"""`support.services` is a package by subject: its `__init__` names every module and re-exports every writer, so
that `from support import services; services.record_support(...)` reaches each of them (STYLE 30)."""

import importlib
import inspect
import pkgutil

from support import services

WRITER_VERBS = ("create_", "change_", "record_", "approve_", "deliver_", "cancel_", "set_", "send_")


def submodules():
    names = [info.name for info in pkgutil.iter_modules(services.__path__)]
    return [importlib.import_module(f"support.services.{name}") for name in names]


def test_every_writer_of_its_modules_is_a_name_of_the_package():
    writers = {
        name: obj
        for module in submodules()
        for name, obj in vars(module).items()
        if inspect.isfunction(obj) and obj.__module__ == module.__name__ and name.startswith(WRITER_VERBS)
    }
    assert {"record_support", "record_loan", "set_budget", "send_follow_up_reminders"} <= set(writers)
    assert sorted(set(writers) - set(services.__all__)) == []
    assert [name for name, obj in writers.items() if getattr(services, name) is not obj] == []


def test_every_name_the_package_exports_is_there():
    assert [name for name in services.__all__ if not hasattr(services, name)] == []


def test_the_package_docstring_names_each_of_its_modules():
    names = [module.__name__.rpartition(".")[2] for module in submodules()]
    assert {"records", "loans", "budgets", "follow_ups", "intervention_types", "checks"} <= set(names)
    assert [name for name in names if f"`{name}`" not in (services.__doc__ or "")] == []
