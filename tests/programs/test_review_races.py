"""Two people at once on the same household (transactional tests with threads, real PostgreSQL locks): the
locks are taken in one order, so one waits for the other and nobody gets a deadlock or a 500."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from config.errors import StaleVersion
from programs.review import services as workflow
from programs.review.services import calendar as reminders
from programs.review.services import cases
from tests.programs.review_helpers import TODAY, insure, make_poor, open_review, recognise, survey, walk_to_posted

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
RICH = 5_000_000


def run_in_thread(function, results, key):
    def target():
        try:
            results[key] = function()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each side got
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_a_resurvey_racing_the_recognition_waits_for_it(
    committed_areas, household_a, admin_user, officer_a, chair_a, monkeypatch
):
    insure(household_a)
    make_poor(household_a, admin_user)
    open_review(household_a.commune)
    case = walk_to_posted(officer_a, household_a, income=RICH)
    locked = threading.Event()
    check = cases._check_decider

    def slow_check(actor, locked_case):  # the chair holds her locks a moment
        locked.set()
        time.sleep(1.0)
        return check(actor, locked_case)

    monkeypatch.setattr(cases, "_check_decider", slow_check)
    results: dict[str, object] = {}
    chair = run_in_thread(lambda: recognise(chair_a, case), results, "chair")
    locked.wait(5)
    officer = run_in_thread(lambda: survey(officer_a, household_a, income=RICH), results, "officer")
    chair.join(30)
    officer.join(30)
    assert results["chair"].state == "recognised", results
    assert not isinstance(results["officer"], Exception), results  # recorded after the decision; no deadlock


def test_a_request_racing_the_opening_of_the_review_is_a_conflict_not_a_deadlock(
    committed_areas, household_a, admin_user, officer_a
):
    insure(household_a)
    make_poor(household_a, admin_user)
    reminders.open_campaigns(year=2026, communes=[household_a.commune_id])
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def opening():
        with transaction.atomic():
            created = reminders.open_cases(year=2026, communes=[household_a.commune_id])
            inserted.set()
            release.wait(10)
        return created

    def request():
        inserted.wait(5)
        return workflow.file_review_request(
            actor=officer_a,
            household_id=household_a.pk,
            request_kind="exit",
            channel="online",
            filed_on=datetime.date(2026, 9, 20),
            today=TODAY,
        )

    opener = run_in_thread(opening, results, "opening")
    requester = run_in_thread(request, results, "request")
    inserted.wait(5)
    time.sleep(1.0)
    release.set()
    opener.join(30)
    requester.join(30)
    assert results["opening"] == 1, results
    assert isinstance(results["request"], StaleVersion), results  # a 409: the household is already in review
