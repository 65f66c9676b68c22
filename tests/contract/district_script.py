"""A district's script, as its IT team would write it with a client generated from the API's schema by
`openapi-python-client` (`make test-contract` generates the client from the live server and runs this script).

    python tests/contract/district_script.py --url http://127.0.0.1:8000 --client /tmp/client --username canbo_huyen

It signs in for a token, pages through the district's households, filters the poor, opens a household with its
members, its surveys and its status history, classifies a household's facts under the current standard, reads the
district's figures, lists the overdue review cases, the support records and the loans, records a survey of a
household whose review case waits for it (as a commune officer: the survey moves the case on, and its answer gives
the case's new version for the village meeting that follows), and makes one review move with the case's `version`
(the first move the case's `allowed_moves` offers that this account may make).

The script finds each operation by its method and path (`GET /api/v1/households/`), not by the module's name, which
follows the schema's tags. Values are given as plain Python (strings, numbers, dicts) and turned into the client's
enums and models by the function's annotations, as one would by hand.

Each step is a function of `Script`; `run()` runs them in order and returns what each found (counts, ids). With
`keep_going`, a step that raises is recorded and the next ones run (those that need its result are recorded as
not run): the contract suite lists every step that fails, not only the first.
"""

import argparse
import datetime
import enum
import importlib
import pkgutil
import re
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

URL = re.compile(r'"url":\s*"([^"]+)"')
METHOD = re.compile(r'"method":\s*"([a-z]+)"')
STEPS = [
    "sign in",
    "households of the district, every page",
    "the poor households",
    "a household with its members",
    "its surveys",
    "its status history",
    "classify a household's facts",
    "the district's figures",
    "overdue review cases",
    "support records",
    "loans",
    "a survey, then its case's next move",
    "a review move with its version",
]
# The moves the script may make, by the operation that makes each and what it needs besides `version`. A district's
# account may only give the district's opinion, a step that campaigns from 1 July 2025 no longer have: the move is
# made with a commune officer's account (`mover`), as the district's script does for a commune that asks it to.
MOVES: dict[str, tuple[str, Callable[[datetime.date], dict]]] = {
    "consult_district": (
        "district-opinion",
        lambda today: {"opinion_on": today.isoformat(), "opinion": "Đồng ý với kết quả bình xét (ý kiến huyện)."},
    ),
    "report": ("report", lambda today: {"reported_on": today.isoformat()}),
    "meeting": ("meeting", lambda today: {"meeting_date": today.isoformat(), "attendees": 30, "agreeing": 25}),
    "post": ("post", lambda today: {"posting_start": today.isoformat()}),
    "complain": (
        "complaint",
        lambda today: {
            "received_on": today.isoformat(),
            "complainant": "Nguyễn Văn Khiếu",
            "content": "Hộ cho rằng thu nhập đã tính thiếu một khoản lương hưu.",
        },
    ),
}


class StepNotRun(Exception):
    """A step that needs what an earlier step (which failed) should have found."""


def operation_modules(package: str) -> dict[str, str]:
    """The module of each operation of the generated client, by "METHOD /path" (as the schema names them)."""
    api = importlib.import_module(f"{package}.api")
    found = {}
    for info in pkgutil.walk_packages(api.__path__, f"{package}.api."):
        spec = importlib.util.find_spec(info.name)
        source = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
        url, method = URL.search(source), METHOD.search(source)
        if url and method:
            found[f"{method.group(1).upper()} {url.group(1)}"] = info.name
    return found


def _convert(value: Any, hint: Any) -> Any:
    """`value` as the annotation `hint` wants it: an enum member, a model (from a dict), a list of either."""
    if value is None:
        return None
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    for option in options:
        origin = typing.get_origin(option)
        if origin is list and isinstance(value, list):
            (item,) = typing.get_args(option) or (Any,)
            return [_convert(v, item) for v in value]
        if isinstance(option, type) and issubclass(option, enum.Enum):
            for candidate in (value, str(value).lower()):
                try:
                    return option(candidate)
                except ValueError:
                    continue
        if isinstance(option, type) and hasattr(option, "from_dict") and isinstance(value, dict):
            return option.from_dict(value)
        if option is int and isinstance(value, (int, str)) and not isinstance(value, bool):
            return int(value)
        if option is str and isinstance(value, int):
            return str(value)
    return value


def as_data(parsed: Any) -> Any:
    """A parsed response as plain data (the generated models' `to_dict`)."""
    if hasattr(parsed, "to_dict"):
        return parsed.to_dict()
    if isinstance(parsed, list):
        return [as_data(item) for item in parsed]
    return parsed


class Script:
    def __init__(
        self,
        url: str,
        package: str,
        username: str,
        password: str,
        mover: str = "canbo_xa_a",
        today: datetime.date | None = None,
    ):
        self.url, self.package, self.username, self.password = url.rstrip("/"), package, username, password
        self.mover = mover
        self.today = today or datetime.date.today()
        self.client_module = importlib.import_module(f"{package}.client")
        self.ops = operation_modules(package)
        self.client: Any = self.client_module.Client(base_url=self.url, raise_on_unexpected_status=True)
        self.found: dict[str, Any] = {}

    def call(self, operation: str, **arguments: Any) -> Any:
        """Call `operation` ("GET /api/v1/households/") with plain arguments; its parsed answer as plain data."""
        module = importlib.import_module(self.ops[operation])
        hints = typing.get_type_hints(module.sync_detailed)
        converted = {name: _convert(value, hints.get(name, Any)) for name, value in arguments.items()}
        response = module.sync_detailed(client=self.client, **converted)
        status = int(response.status_code)
        if status >= 400 or response.parsed is None:
            raise RuntimeError(f"{operation}: {status} {response.content[:500]!r}")
        return as_data(response.parsed)

    def pages(self, operation: str, **arguments: Any) -> list[dict]:
        """Every item of a paginated list, page by page, following the answers' `next` as far as `count` says."""
        items: list[dict] = []
        page = 1
        while True:
            data = self.call(operation, page=page, page_size=50, **arguments)
            items += data["results"]
            if not data.get("next"):
                assert len(items) == data["count"], f"{operation}: {len(items)} items, count {data['count']}"
                return items
            page += 1

    def need(self, key: str) -> Any:
        if key not in self.found:
            raise StepNotRun(f"needs {key!r}, which an earlier step did not find")
        return self.found[key]

    # --- the steps, in order -----------------------------------------------------------------------------------

    def signed_in(self, username: str) -> Any:
        anonymous = self.client_module.Client(base_url=self.url, raise_on_unexpected_status=True)
        self.client, previous = anonymous, self.client
        try:
            token = self.call("POST /api/v1/auth/login/", body={"username": username, "password": self.password})
        finally:
            self.client = previous
        return self.client_module.AuthenticatedClient(
            base_url=self.url, token=token["token"], prefix="Token", raise_on_unexpected_status=True
        )

    def sign_in(self) -> dict:
        self.client = self.signed_in(self.username)
        return {"signed_in": self.username}

    def households(self) -> dict:
        households = self.pages("GET /api/v1/households/")
        self.found["household"] = households[0]["id"]
        return {"households": len(households)}

    def poor(self) -> dict:
        poor = self.pages("GET /api/v1/households/", status=["poor"])
        assert all(item["status"] == "poor" for item in poor), "a household that is not poor in the poor list"
        if poor:
            self.found["household"] = poor[0]["id"]
        return {"poor": len(poor)}

    def household(self) -> dict:
        household_id = self.need("household")
        household = self.call("GET /api/v1/households/{id}/", id=household_id)
        members = self.call("GET /api/v1/households/{id}/members/", id=household_id)
        members = members["results"] if isinstance(members, dict) else members  # a list, or a page of one
        return {"household": household["code"], "members": len(members)}

    def surveys(self) -> dict:
        return {"surveys": len(self.pages("GET /api/v1/assessments/", household=self.need("household")))}

    def status_history(self) -> dict:
        return {"status_changes": len(self.pages("GET /api/v1/status-changes/", household=self.need("household")))}

    def classify(self) -> dict:
        today = self.today.isoformat()
        standards = self.pages("GET /api/v1/standards/")
        in_force = [s for s in standards if s["valid_from"] <= today and (s.get("valid_to") or today) >= today]
        current = max(in_force or standards, key=lambda standard: standard["valid_from"])
        result = self.call(
            "POST /api/v1/classify/",
            body={
                "standard": current["code"],
                "area_type": "rural",
                "income_per_capita": 1_200_000,
                "deprivations": ["water", "sanitation", "telecom"],
            },
        )
        return {"standard": result["standard"], "category": result["category"]}

    def figures(self) -> dict:
        areas = self.pages("GET /api/v1/areas/", level="district")
        area = areas[0] if areas else self.pages("GET /api/v1/areas/")[0]
        figures = self.call("GET /api/v1/stats/figures/", area=area["id"], year=self.today.year)
        return {"figures_area": area["name"], "figures": len(figures)}

    def overdue(self) -> dict:
        cases = self.pages("GET /api/v1/review-cases/", overdue=True)
        assert all(case["overdue"] for case in cases), "a case that is not overdue in the overdue list"
        return {"overdue_cases": len(cases)}

    def support(self) -> dict:
        return {"support_records": len(self.pages("GET /api/v1/support-records/"))}

    def loans(self) -> dict:
        return {"loans": len(self.pages("GET /api/v1/loans/"))}

    def survey(self) -> dict:
        """A commune officer's survey of a household whose case waits for it: the survey moves the case on, and its
        answer names the case with its new version, with which the next move (the village meeting) is made."""
        district, self.client = self.client, self.signed_in(self.mover)
        try:
            case = self._waiting_for_survey()
            body = {
                "household": case["household"]["id"],
                "review_year": self.today.year,
                "survey_date": self.today.isoformat(),
                "income_per_capita": 2_500_000,
                "dwelling": {
                    "has_house": True,
                    "floor_area_m2": "48",
                    "foundation_frame_durable": True,
                    "walls_durable": True,
                    "roof_durable": False,
                },
                "answers": {
                    "employment": False,
                    "water": False,
                    "sanitation": True,
                    "waste_treatment": True,
                    "telecom": False,
                    "nutrition": False,
                },
                "causes": ["capital"],
            }
            surveyed = self.call("POST /api/v1/assessments/", body=body)
            moved = surveyed["review_case"]
            assert moved["id"] == case["id"] and moved["version"] > case["version"], surveyed
            meeting = {"version": moved["version"], **MOVES["meeting"][1](self.today)}
            met = self.call("POST /api/v1/review-cases/{id}/meeting/", id=case["id"], body=meeting)
            return {"surveyed": surveyed["category"], "survey_moved": moved["state"], "after_meeting": met["state"]}
        finally:
            self.client = district

    def _waiting_for_survey(self) -> dict:
        """A case of this year that waits for its survey; none: a household without a case asks to be listed (the
        household's request, filed in person today), which opens one."""
        cases = self.pages("GET /api/v1/review-cases/", year=self.today.year)
        waiting = [case for case in cases if "survey" in case["allowed_moves"] and case["state"] == "listed"]
        if waiting:
            return waiting[0]
        with_case = {case["household"]["id"] for case in cases}
        households = self.pages("GET /api/v1/households/", status=["not_poor"])
        household = next(h for h in households if h["id"] not in with_case)
        request = {"household": household["id"], "request_kind": "add", "channel": "in_person"}
        return self.call("POST /api/v1/review-cases/", body={**request, "filed_on": self.today.isoformat()})

    def review_move(self) -> dict:
        district, self.client = self.client, self.signed_in(self.mover)
        try:
            return self._move()
        finally:
            self.client = district

    def _move(self) -> dict:
        cases = self.pages("GET /api/v1/review-cases/", year=self.today.year)
        for move, (route, body) in MOVES.items():  # in MOVES' order: a complaint, bound to the posting's dates, last
            case = next((case for case in cases if move in case["allowed_moves"] and self._open(move, case)), None)
            if case is None:
                continue
            operation = f"POST /api/v1/review-cases/{{id}}/{route}/"
            moved = self.call(operation, id=case["id"], body={"version": case["version"], **body(self.today)})
            assert moved["version"] > case["version"], "the move did not change the case's version"
            return {"moved": case["reference"], "move": move, "state": moved["state"]}
        raise AssertionError(f"no case of {self.today.year} offers a move among {sorted(MOVES)}")

    def _open(self, move: str, case: dict) -> bool:
        """A complaint is received only while the posting lasts."""
        return move != "complain" or (case.get("posting_end") or "") >= self.today.isoformat()

    def steps(self) -> list[tuple[str, Callable[[], dict]]]:
        functions = [
            self.sign_in,
            self.households,
            self.poor,
            self.household,
            self.surveys,
            self.status_history,
            self.classify,
            self.figures,
            self.overdue,
            self.support,
            self.loans,
            self.survey,
            self.review_move,
        ]
        return list(zip(STEPS, functions, strict=True))

    def run(self, *, keep_going: bool = False, say: Callable[[str], None] = print) -> tuple[dict, dict[str, str]]:
        """What the steps found, and (with `keep_going`) the steps that failed with why."""
        report: dict[str, Any] = {}
        failed: dict[str, str] = {}
        for name, step in self.steps():
            try:
                found = step()
            except Exception as exc:
                if not keep_going:
                    raise
                failed[name] = f"{type(exc).__name__}: {exc}"[:600]
                say(f"{name}: FAILED {failed[name]}")
                continue
            report.update(found)
            say(f"{name}: {found}")
        return report, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--client", required=True, help="the folder the client was generated into")
    parser.add_argument("--package", default="giamngheo_client")
    parser.add_argument("--username", default="canbo_huyen")
    parser.add_argument("--password", default="giamngheo-demo")
    parser.add_argument("--mover", default="canbo_xa_a", help="the commune officer who makes the review move")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(args.client).resolve().parent))
    Script(args.url, args.package, args.username, args.password, args.mover).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
