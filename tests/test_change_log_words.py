"""Every action code the code writes to the audit log has a Vietnamese label, and every key of the changes it writes
reads as a label (STYLE 33): the change log never shows `households.member.created` or `sex` to an officer.

The codes are read from the source: every string that looks like an action code ("app.subject.verb"), and the
f-strings that build one (`programs.status.{event}`, `programs.review_case.{action}`) with the values they take."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from households.admin import CHANGE_LOG
from programs.models import ComplaintOutcome, StatusEvent

ROOT = Path(__file__).resolve().parent.parent
APPS = ("households", "programs", "support", "config")
APP_LABELS = ("households", "programs", "support")


def sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def names_a_definition(parts: list[str]) -> bool:
    """Whether app.module.name is the path of a function or class of ours (a setting naming a callable)."""
    module = ROOT / parts[0] / f"{parts[1]}.py"
    if not module.exists():
        return False
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == parts[2] for node in tree.body)


def looks_like_action(text: str) -> bool:
    parts = text.split(".")
    return (
        len(parts) == 3
        and parts[0] in APP_LABELS
        and parts[1] != "tasks"  # Celery's task names ("programs.tasks.build_report")
        and not names_a_definition(parts)  # a dotted path in the settings ("households.sign_in.lockout_response")
        and all(part and part.replace("_", "").isalpha() and part.islower() for part in parts)
    )


def review_case_actions(tree: ast.AST) -> set[str]:
    """The actions `programs.review.services.cases` passes to `_save` (written `programs.review_case.<action>`)."""
    actions = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_save" and len(node.args) >= 4):
            continue
        argument = node.args[3]
        options = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
        for option in options:
            if isinstance(option, ast.Constant):
                actions.add(option.value)
            elif isinstance(option, ast.JoinedStr) and ast.unparse(option) == "f'complaint_{outcome}'":
                actions.update(f"complaint_{outcome}" for outcome in ComplaintOutcome.values)
            else:
                raise AssertionError(f"an action this test cannot read: {ast.unparse(option)}")
    return actions


def written_action_codes() -> set[str]:
    codes, families = set(), set()
    for path, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and looks_like_action(node.value):
                codes.add(node.value)
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = str(node.values[0].value)
                if head.count(".") == 2 and head.endswith(".") and head.split(".")[0] in APP_LABELS:
                    families.add(head)
        if path.parts[-3:] == ("review", "services", "cases.py"):
            codes.update(f"programs.review_case.{action}" for action in review_case_actions(tree))
    known_families = {"programs.status.", "programs.review_case."}
    assert families <= known_families, f"an action code built in a new way: teach this test {families - known_families}"
    codes.update(f"programs.status.{event}" for event in StatusEvent.values)
    return codes


def test_the_source_is_read():
    codes = written_action_codes()
    assert {"households.member.created", "support.record.approved", "programs.document.exported"} <= codes
    assert {"programs.status.relapsed_poor", "programs.review_case.complaint_upheld"} <= codes
    assert "programs.review_case.meeting_disagreed" in codes  # a branch of a conditional


def test_every_action_code_written_anywhere_has_a_vietnamese_label():
    missing = sorted(code for code in written_action_codes() if code not in CHANGE_LOG.actions)
    assert missing == []
    labels = list(CHANGE_LOG.actions.values())
    assert all(label and "." not in label and "_" not in label for label in labels)
    assert len(set(labels)) == len(labels), "two actions read the same"


def changes_keys() -> set[str]:
    """The keys written literally in the `changes` of audit entries (`changes={...}`, `"changes": {...}`)."""
    keys = set()
    for _, tree in sources():
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.keyword) and node.arg == "changes":
                values.append(node.value)
            if isinstance(node, ast.Dict):
                values += [
                    v for k, v in zip(node.keys, node.values, strict=True) if getattr(k, "value", None) == "changes"
                ]
            for value in values:
                if isinstance(value, ast.Dict):
                    keys.update(k.value for k in value.keys if isinstance(k, ast.Constant))
    return keys


@pytest.mark.django_db
def test_every_key_written_in_the_changes_reads_as_a_label():
    models = [m for m in apps.get_models() if m._meta.app_label in APP_LABELS]
    keys = changes_keys()
    assert {"usable_password", "deprived", "follow_ups", "reported_cases"} <= keys
    unread = []
    for key in sorted(keys):
        labels = {CHANGE_LOG.key(model, key).label for model in models}
        if labels == {key}:  # no model's field, no registered key: it would show as written
            unread.append(key)
    assert unread == []
