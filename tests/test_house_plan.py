"""The house plan of the code (STYLE 1, 2, 30; DESIGN "Layout: who owns what").

- No import cycle among the modules of config/, households/, programs/ and support/.
- The apps point one way: support -> programs -> households -> config; config imports the apps only to route
  their URLs.
- Inside programs, the subjects lean one way: standards <- review <- reporting <- imports. A subject's module
  imports only the subjects to its left, programs' base modules (`models`, `rules`), households and config; the
  few exceptions are listed below, each with its reason.
- No module over 600 lines.

The import graph is read from the source with `ast`: every `import x` and `from x import y`, inside functions
too (an import inside a function is still a dependency, and a cycle of them is still a cycle). Nothing is
imported to check it.
"""

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "households", "programs", "support")
MAX_LINES = 600

Graph = Mapping[str, Iterable[str]]


# --- the import graph -----------------------------------------------------------------------------------------


def module_files(root: Path = ROOT, apps: Iterable[str] = APPS) -> dict[str, Path]:
    """Every module of the apps by dotted name (a package by the name of its `__init__`)."""
    modules = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module `name` names, or the closest of its packages that is one of ours (None: not ours)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imports(package: str, modules: Mapping[str, Path]) -> bool:
    """Whether a package's `__init__` imports anything (an empty one adds nothing to the graph)."""
    tree = ast.parse(modules[package].read_text(encoding="utf-8"))
    return any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree))


def imports_of(name: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The modules of ours that module `name` imports, anywhere in its source. `from a import b` is an import of
    the module `a.b` when there is one (`from programs.standards import services`), else of `a`; and of the packages
    on the way (their `__init__` runs first)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(filter(None, (_known(alias.name, modules) for alias in node.names)))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x`, `from ..y import z`
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else _known(base, modules)
                if target:
                    found.add(target)
    # Importing a.b.c runs the packages a and a.b first: their `__init__`, when it imports anything (a re-export), is
    # a dependency too, except a package that holds the importing module (Python is already running it).
    for target in list(found):
        parent = target.rpartition(".")[0]
        while parent:
            if (
                parent in modules
                and not (name == parent or name.startswith(parent + "."))
                and _imports(parent, modules)
            ):
                found.add(parent)
            parent = parent.rpartition(".")[0]
    found.discard(name)
    return found


def import_graph(root: Path = ROOT, apps: Iterable[str] = APPS) -> dict[str, set[str]]:
    modules = module_files(root, apps)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None when the graph has none (depth-first, in name order)."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start}
        stack = [iter(sorted(graph.get(start, ())))]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                stack.pop()
                done.add(path[-1])
                on_path.discard(path.pop())
            elif following in on_path:
                return path[path.index(following) :] + [following]
            elif following not in done:
                path.append(following)
                on_path.add(following)
                stack.append(iter(sorted(graph.get(following, ()))))
    return None


def assert_no_cycle(graph: Graph) -> None:
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


GRAPH = import_graph()


def edges(graph: Graph = GRAPH) -> list[tuple[str, str]]:
    return sorted((source, target) for source, targets in graph.items() for target in targets)


def app_of(module: str) -> str:
    return module.partition(".")[0]


# --- the checks -----------------------------------------------------------------------------------------------


def test_the_graph_covers_the_apps_and_reads_imports_inside_functions():
    assert {"config.urls", "households.models", "programs.rules", "support.services"} <= set(GRAPH)
    assert "programs.standards.services.assessments" in GRAPH  # a package's module
    assert "programs.review.services" in GRAPH  # a package, by its __init__
    # `from programs.reporting import services as statistics` inside a task function
    assert "programs.reporting.services" in GRAPH["programs.tasks"]


def test_there_is_no_import_cycle_among_the_modules():
    assert_no_cycle(GRAPH)


# (a) the apps point one way: support -> programs -> households -> config
MAY_NOT_IMPORT = {
    "config": {"households", "programs", "support"},
    "households": {"programs", "support"},
    "programs": {"support"},
}
# config wires the apps together and imports them only for that (STYLE 1, 3)
CONFIG_WIRING = {"config.urls": "routes the API of every app under /api/v1/"}


def test_the_apps_point_one_way():
    wrong = [
        f"{source} -> {target}"
        for source, target in edges()
        if app_of(target) in MAY_NOT_IMPORT.get(app_of(source), ()) and source not in CONFIG_WIRING
    ]
    assert wrong == []


# (b) programs' subjects lean one way
SUBJECTS = ("standards", "review", "reporting", "imports")  # each may use those to its left, never to its right
BASE = {"programs", "programs.models", "programs.rules"}  # what every subject may import
# Modules of a subject that Django wants somewhere else.
SUBJECT_OF = {"programs.templatetags.review_tags": "review"}  # template tags live in <app>/templatetags/
# Modules above the subjects (they wire the subjects together, or are doors over them): they may import any.
ABOVE = {
    "programs.admin": "imports every subject's admin, so that Django's admin autodiscovery registers them",
    "programs.apps": "ProgramsConfig.ready plugs the review into the standards' survey service and the report "
    "task into the reports",
    "programs.tasks": "the Celery tasks of every subject (named programs.tasks.*), thin calls of their services",
    "programs.urls": "the URLs of every subject",
    "programs.demo": "the demo's survey draws, for the seed_reviews command",
    "programs.management": "management commands: the twins of the tasks, doors like the API and the admin",
    "programs.templatetags": "the package Django reads template tags from",
    "programs.migrations": "the migrations: history, which may freeze any rule they used",
}
EXCEPTIONS = {
    **{
        ("programs.models", f"programs.{subject}.models"): "one Django app, one models module: it re-exports the "
        "tables of every subject"
        for subject in SUBJECTS
    },
    ("programs.standards.services.assessments", "programs.reporting.stale"): "a survey marks its commune's figures "
    "stale in its own transaction; `stale` is a leaf (test_the_stale_mark_is_a_leaf)",
    ("programs.reporting.api", "programs.tasks"): "queues the figures' recomputation (tasks.refresh_figures.delay); "
    "the tasks of every subject are in programs/tasks.py",
    ("programs.reporting.dashboard", "programs.tasks"): "queues the figures' recomputation "
    "(tasks.refresh_figures.delay), as the API does",
}


def subject_of(module: str) -> str | None:
    if module in SUBJECT_OF:
        return SUBJECT_OF[module]
    parts = module.split(".")
    return parts[1] if parts[0] == "programs" and len(parts) > 1 and parts[1] in SUBJECTS else None


def above(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in ABOVE)


def lean_order_breaks(graph: Graph) -> list[tuple[str, str]]:
    """The imports inside programs that go against the lean order of its subjects."""
    breaks = []
    for source, target in edges(graph):
        if app_of(source) != "programs" or app_of(target) != "programs" or above(source):
            continue
        mine, theirs = subject_of(source), subject_of(target)
        if mine is None:  # a base module: imports only base modules
            allowed = target in BASE
        else:  # a subject's module: the subjects to its left and the base modules
            allowed = target in BASE or (theirs is not None and SUBJECTS.index(theirs) <= SUBJECTS.index(mine))
        if not allowed:
            breaks.append((source, target))
    return breaks


def test_every_module_of_programs_is_a_subjects_a_base_module_or_above_them():
    unplaced = [m for m in GRAPH if app_of(m) == "programs" and not (subject_of(m) or m in BASE or above(m))]
    assert unplaced == []


def test_the_subjects_of_programs_lean_one_way():
    breaks = lean_order_breaks(GRAPH)
    unexplained = [f"{source} -> {target}" for source, target in breaks if (source, target) not in EXCEPTIONS]
    assert unexplained == []
    stale_exceptions = sorted(set(EXCEPTIONS) - set(breaks))  # an exception that no longer happens goes
    assert stale_exceptions == []


def test_the_stale_mark_is_a_leaf():
    # what makes it harmless for the standards to import it: it needs nothing of the subjects but reporting's rules
    inside = {t for t in GRAPH["programs.reporting.stale"] if app_of(t) == "programs"}
    assert inside <= {"programs.models", "programs.reporting.rules"}
    assert {t for t in GRAPH["programs.reporting.rules"] if app_of(t) == "programs"} <= BASE


# (c) modules of one screenful of concepts
def long_modules(root: Path = ROOT) -> list[str]:
    return sorted(
        f"{path.relative_to(root)} ({lines})"
        for name, path in module_files(root).items()
        if ".migrations" not in name and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    )


def test_no_module_is_over_600_lines():
    assert long_modules() == []


# --- the checks check ----------------------------------------------------------------------------------------


def test_the_cycle_check_fails_on_a_small_graph_with_a_cycle_and_names_it():
    graph = {"a": {"b"}, "b": {"c", "d"}, "c": {"a"}, "d": set(), "e": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    with pytest.raises(AssertionError, match="import cycle: a -> b -> c -> a"):
        assert_no_cycle(graph)
    assert find_cycle({"x": {"x"}}) == ["x", "x"]
    assert find_cycle({"x": {"y"}, "y": {"z"}, "z": {"y"}}) == ["y", "z", "y"]


def test_the_cycle_check_passes_a_graph_without_one():
    diamond = {"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set(), "e": {"a", "d"}}
    assert find_cycle(diamond) is None
    assert_no_cycle(diamond)


def test_the_graph_resolves_submodules_relative_imports_and_imports_in_functions(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/rules.py": "import datetime\n",
        "app/sub/__init__.py": "from app.sub.writers import write\n",
        "app/sub/writers.py": "from .. import rules\n\ndef write():\n    from app import late\n",
        "app/late.py": "import app.sub.writers\nfrom app.rules import something\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(tmp_path, ["app"])
    assert graph == {
        "app": set(),
        "app.late": {"app.sub", "app.sub.writers", "app.rules"},  # app.sub's __init__ runs first and imports
        "app.rules": set(),
        "app.sub": {"app.sub.writers"},
        "app.sub.writers": {"app.rules", "app.late"},
    }
    assert find_cycle(graph) == ["app.late", "app.sub", "app.sub.writers", "app.late"]


def test_the_lean_order_check_catches_a_subject_importing_one_to_its_right():
    graph = {
        "programs.standards.services": {"programs.review.rules", "programs.rules"},
        "programs.review.api": {"programs.standards.services", "programs.models"},
        "programs.rules": {"programs.imports.layout"},
        "programs.tasks": {"programs.imports.services"},
    }
    assert lean_order_breaks(graph) == [
        ("programs.rules", "programs.imports.layout"),
        ("programs.standards.services", "programs.review.rules"),
    ]
