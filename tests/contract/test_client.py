"""A client generated from the live schema by `openapi-python-client`, as a district's IT team would: every module of
it imported, and the district's script (`district_script.py`) run with it against the live server.

What fails here and `known_failures.toml` names (check `client_generates`, `client_imports` by operation or module,
`district_script` by step) is an expected failure with its reason; anything else fails the test; a named failure that
no longer fails is listed at the end of the session.
"""

import importlib
import io
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.contract import district_script, known
from tests.contract.conftest import PASSWORD, ROLES

pytestmark = [pytest.mark.contract, pytest.mark.django_db]  # the test database, written by the server only

PACKAGE = "giamngheo_client"
CONFIG = "post_hooks: []\npackage_name_override: giamngheo_client\nproject_name_override: giamngheo-client\n"


def _settle(check: str, failures: dict[str, str]) -> None:
    """Record `failures` (subject -> what happened) of `check`; fail on those the file does not name, mark the test
    an expected failure when all are named."""
    for subject, message in failures.items():
        known.RUN.record("district", subject, check, [_Titled(message.splitlines()[0], message)])
    unexpected = [
        f"{subject}: {message}" for subject, message in failures.items() if (check, subject) not in known.RUN.known
    ]
    if unexpected:
        pytest.fail(f"{check}: failures not named in {known.FILE.name}:\n" + "\n".join(unexpected), pytrace=False)
    if failures:
        reasons = sorted({known.RUN.known[(check, subject)] for subject in failures})
        pytest.xfail(f"{len(failures)} known ({check}): " + " | ".join(reasons))


class _Titled:
    """A failure of the client as the ledger counts it: its kind (first line) and the whole message."""

    def __init__(self, title: str, message: str):
        self.title, self.message = title, message


@pytest.fixture(scope="session")
def generated(contract_server, logins, tmp_path_factory) -> Path:
    """The live schema, downloaded with the district's token, and the client generated from it (its folder)."""
    folder = tmp_path_factory.mktemp("client")
    schema = requests.get(f"{contract_server}/api/schema/?format=json", headers=logins["district"].headers, timeout=60)
    assert schema.status_code == 200, schema.text[:500]
    (folder / "schema.json").write_bytes(schema.content)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    result = subprocess.run(  # noqa: S603 (our own interpreter, our own arguments)
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--config",
            str(folder / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    (folder / "generate.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0 or not (folder / PACKAGE / "__init__.py").exists():
        failure = {"openapi-python-client generate": (result.stdout + result.stderr)[-600:]}
        known.RUN.ran("openapi-python-client generate")
        _settle("client_generates", failure)
    sys.path.insert(0, str(folder))
    yield folder / PACKAGE
    sys.path.remove(str(folder))
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def test_client_generates(generated):
    known.RUN.ran("openapi-python-client generate")
    modules = district_script.operation_modules(PACKAGE)
    assert len(modules) >= 70, f"only {len(modules)} operations in the generated client"


def _subject(name: str, operations: dict[str, str]) -> str:
    """An operation's module by its operation ("POST /api/v1/households/"), which does not change with the tags;
    a model by its module's name."""
    by_module = {module: operation for operation, module in operations.items()}
    return by_module.get(name, name.removeprefix(f"{PACKAGE}."))


def test_every_module_imports(generated):
    operations = district_script.operation_modules(PACKAGE)
    package = importlib.import_module(PACKAGE)
    failures: dict[str, str] = {}
    names = [info.name for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")]
    for name in names:
        subject = _subject(name, operations)
        known.RUN.ran(subject)
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 (every failure of every module, listed)
            failures[subject] = f"{type(exc).__name__}: {exc}"
    assert len(names) > 100, f"only {len(names)} modules generated"
    _settle("client_imports", failures)


def test_district_script(generated, contract_server):
    """The district's script, every step, with the generated client, as the district's staff."""
    printed = io.StringIO()
    script = district_script.Script(contract_server, PACKAGE, ROLES["district"], PASSWORD)
    for name in district_script.STEPS:
        known.RUN.ran(name)
    report, failures = script.run(keep_going=True, say=lambda line: printed.write(line + "\n"))
    print(printed.getvalue())
    _settle("district_script", failures)
    # What a district's staff would check the script found: their households, some poor, a household's members
    # and surveys, the figures, the lists, and a move made.
    assert report["households"] > 0 and report["poor"] > 0, report
    assert 0 < report["poor"] < report["households"], report
    assert report["members"] > 0 and report["surveys"] > 0 and report["status_changes"] > 0, report
    assert report["category"] in {"poor", "near_poor", "not_poor"}, report
    assert report["figures"] > 0 and report["support_records"] > 0 and report["loans"] > 0, report
    assert "overdue_cases" in report and report["moved"] and report["state"], report  # the list read, a move made
    assert report["survey_moved"] == "classified" and report["after_meeting"] == "agreed", report
