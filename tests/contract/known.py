"""The contract suite's ledger: what failed in this run, against `known_failures.toml` (what is known to fail, and why).

A failure is named by its check and its subject: for schemathesis an operation ("GET /api/v1/households/") and a
check ("status_code_conformance"); for the generated client a module or a step and a check of this suite
("client_generates", "client_imports", "district_script"). The file lists groups, each with one reason:

    [[failure]]
    check = "status_code_conformance"
    reason = "401, 403 and 404 are declared on no operation (issue 19, point 4)"
    subjects = ["GET /api/v1/households/", ...]

`verify(subject)` fails a test on a failure the file does not name; at the end of the session the summary lists the
named ones that did not fail (to be removed from the file) and counts what failed, per check and per kind.
"""

import json
import os
import time
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

FILE = Path(__file__).with_name("known_failures.toml")


def load(path: Path = FILE) -> dict[tuple[str, str], str]:
    """(check, subject) -> reason."""
    named: dict[tuple[str, str], str] = {}
    for group in tomllib.loads(path.read_text(encoding="utf-8")).get("failure", []):
        for subject in group["subjects"]:
            key = (group["check"], subject)
            assert key not in named, f"{path.name} names {key} twice"
            named[key] = group["reason"].strip()
    return named


def load_input_codes(path: Path = FILE) -> frozenset[str]:
    """The error codes that refuse an input's shape (`[refused_by_data]` of the file): a 400 for schema-valid data
    with any other code is the data's state refusing it (a row that does not exist or lies outside the user's area,
    a step the workflow does not allow yet…), which no schema can say."""
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("refused_by_data", {})
    return frozenset(table.get("input_codes", ()))


INPUT_CODES = load_input_codes()


def refused_by_data(response) -> str | None:
    """The code of a 400 that refuses schema-valid data for what the data names, not for its shape; else None."""
    if response is None or response.status_code != 400:
        return None
    try:
        code = response.json().get("code")
    except ValueError:
        return None
    return code if isinstance(code, str) and code and code not in INPUT_CODES else None


# Wall-clock seconds for all the schemathesis operations of both roles (drawing the cases included), and the most
# one operation may take: the operations still to come share what is left, so that a slow machine sends fewer cases
# per operation (counted in the summary, with the operations it cut short) rather than overrunning the deadline.
# The first case of every operation is always sent.
DEADLINE = float(os.environ.get("CONTRACT_SECONDS", "170"))
OPERATION_SECONDS = float(os.environ.get("CONTRACT_OPERATION_SECONDS", "2.0"))


@dataclass
class Ledger:
    known: dict[tuple[str, str], str] = field(default_factory=load)
    # (check, subject) -> {role: Counter of failure titles}
    seen: dict[tuple[str, str], dict[str, Counter]] = field(default_factory=lambda: defaultdict(dict))
    examples: dict[tuple[str, str], str] = field(default_factory=dict)  # (check, subject) -> one reproduction
    details: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))  # first lines
    checked: set[str] = field(default_factory=set)  # subjects that ran in this session
    drawn: Counter = field(default_factory=Counter)  # (role, subject) -> cases drawn by schemathesis
    sent_cases: Counter = field(default_factory=Counter)  # (role, subject) -> cases sent
    first_draw: dict[tuple[str, str], float] = field(default_factory=dict)  # (role, subject) -> when it started
    shortened: set[tuple[str, str]] = field(default_factory=set)  # operations the deadline cut short
    refusals: Counter = field(default_factory=Counter)  # code -> schema-valid cases the data refused

    def draw(self, role: str, subject: str) -> int:
        self.first_draw.setdefault((role, subject), time.monotonic())
        self.drawn[(role, subject)] += 1
        return self.drawn[(role, subject)]

    def may_send(self, role: str, subject: str, operations: int) -> bool:
        """Whether the operation's time is not over: its share of what is left of the deadline, at most
        OPERATION_SECONDS."""
        now = time.monotonic()
        started = self.first_draw[(role, subject)]
        elapsed = now - started
        if self.drawn[(role, subject)] == 1:
            return True
        left = DEADLINE - (now - min(self.first_draw.values())) + elapsed
        share = left / max(operations - len(self.first_draw) + 1, 1)
        if elapsed < min(OPERATION_SECONDS, share):
            return True
        if share < OPERATION_SECONDS:
            self.shortened.add((role, subject))
        return False

    def sent(self, role: str, subject: str) -> None:
        self.sent_cases[(role, subject)] += 1

    def record(self, role: str, subject: str, check: str, failures=(), case=None) -> None:
        titles = self.seen[(check, subject)].setdefault(role, Counter())
        for failure in failures or [None]:
            titles[getattr(failure, "title", None) or check] += 1
            message = " ".join((getattr(failure, "message", "") or "").split())[:160]
            if message and len(self.details[(check, subject)]) < 5:
                self.details[(check, subject)].add(message)
        if case is not None and (check, subject) not in self.examples:
            first = failures[0] if failures else None
            self.examples[(check, subject)] = f"{getattr(first, 'title', '')}: {case.as_curl_command()}"

    def ran(self, subject: str) -> None:
        self.checked.add(subject)

    def unexpected(self, subject: str) -> list[str]:
        """The failures of `subject` the file does not name, as lines to read."""
        lines = []
        for (check, seen_subject), roles in sorted(self.seen.items()):
            if seen_subject != subject or (check, subject) in self.known:
                continue
            titles = sorted({title for counter in roles.values() for title in counter})
            lines.append(f"{check} ({', '.join(sorted(roles))}): {'; '.join(titles)}")
            if (check, subject) in self.examples:
                lines.append(f"    e.g. {self.examples[(check, subject)]}")
        return lines

    def verify(self, subject: str) -> None:
        self.ran(subject)
        lines = self.unexpected(subject)
        if lines:
            raise AssertionError(
                f"{subject}: failures not named in {FILE.name} (fix them, or name them there with their reason):\n"
                + "\n".join(lines)
            )

    def stale(self) -> list[tuple[str, str, str]]:
        """Named failures whose subject ran in this session and did not fail: (check, subject, reason)."""
        return [
            (check, subject, reason)
            for (check, subject), reason in sorted(self.known.items())
            if subject in self.checked and (check, subject) not in self.seen
        ]

    def summary(self) -> list[str]:
        if not self.checked:
            return []
        per_check: Counter = Counter()
        per_kind: Counter = Counter()
        per_role: Counter = Counter()
        for (check, _subject), roles in self.seen.items():
            per_check[check] += 1
            for role, titles in roles.items():
                per_role[role] += 1
                for title in titles:
                    per_kind[title] += 1
        lines = [
            f"contract: {len(self.checked)} subjects checked, {len(self.seen)} distinct failures (subject, check), "
            f"{sum(1 for key in self.seen if key in self.known)} of them named in {FILE.name}",
            f"  cases: {sum(self.sent_cases.values())} sent of {sum(self.drawn.values())} drawn, over "
            f"{len(self.first_draw)} operation runs in "
            f"{(max(self.first_draw.values(), default=0) - min(self.first_draw.values(), default=0)):.0f} s or so"
            + (f"; the deadline cut {len(self.shortened)} of them short" if self.shortened else ""),
            "  per check: " + ", ".join(f"{check} {n}" for check, n in per_check.most_common()),
            "  schema-valid cases refused by the data they name ([refused_by_data]): "
            + (", ".join(f"{code} {n}" for code, n in self.refusals.most_common()) or "none"),
            "  per role: " + ", ".join(f"{role} {n}" for role, n in per_role.most_common()),
            "  per kind (distinct subject and role):",
            *(f"    {n:4d}  {kind}" for kind, n in per_kind.most_common()),
        ]
        stale = self.stale()
        if stale:
            lines.append(f"  named in {FILE.name} but did not fail in this run ({len(stale)}): remove them")
            lines += [f"    {check}  {subject}" for check, subject, _ in stale]
        return lines

    def dump(self, path: str) -> None:
        """Every failure of the run as JSON (to write or check `known_failures.toml`)."""
        rows = [
            {
                "check": check,
                "subject": subject,
                "roles": {role: dict(titles) for role, titles in roles.items()},
                "known": (check, subject) in self.known,
                "example": self.examples.get((check, subject), ""),
                "details": sorted(self.details.get((check, subject), ())),
            }
            for (check, subject), roles in sorted(self.seen.items())
        ]
        Path(path).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


RUN = Ledger()


def stale_fails() -> bool:
    return os.environ.get("CONTRACT_STALE") == "fail" and bool(RUN.stale())
