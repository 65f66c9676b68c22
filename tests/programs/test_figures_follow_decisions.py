"""The figures follow a decision by themselves (issue 13, point 2).

With a worker, the beat refreshes the communes a decision marked stale every five minutes. The embedded default of
`make run` has no worker and no beat (Celery runs tasks eagerly): there the refresh runs as soon as the decision
commits, so the dashboard and the statistics API do not keep yesterday's figures until someone presses "Tính lại".
"""

import datetime

import pytest
from django.utils import timezone

from config.celery import app
from households.models import Household
from programs.models import CommuneYearFigures, StaleFigures
from programs.reporting import services as statistics
from programs.standards import services as program_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(make_household, commune_a):
    """Two households of commune A registered last year, not poor; this year's figures computed."""
    households = [make_household(commune_a, name) for name in ("Lò Văn Sáng", "Giàng A Páo")]
    last_year = timezone.now() - datetime.timedelta(days=400)
    Household.objects.filter(pk__in=[h.pk for h in households]).update(created_at=last_year)
    statistics.refresh_figures(years=[timezone.localdate().year], communes=[commune_a.pk])
    return households


def figures_seen(api, user, area) -> dict:
    response = api(user).get("/api/v1/stats/figures/", {"area": area.pk, "year": timezone.localdate().year})
    assert response.status_code == 200, response.content
    return response.json()["figures"]


def decide_poor(chair, household, committed) -> None:
    with committed(execute=True):  # the decision commits, and what waits for its commit runs
        program_services.record_status_change(
            actor=chair,
            household_id=household.pk,
            to_status="poor",
            effective_date=timezone.localdate(),
            decision_number="17/QĐ-UBND",
        )


def test_with_eager_tasks_the_figures_follow_a_decision_once_it_commits(
    registered, api, province_staff, commune_a, chair_a, django_capture_on_commit_callbacks
):
    assert app.conf.task_always_eager  # the embedded default: no broker, tasks run in the process
    before = figures_seen(api, province_staff, commune_a)
    assert (before["households"], before["poor"]) == (2, 0)

    decide_poor(chair_a, registered[0], django_capture_on_commit_callbacks)

    after = figures_seen(api, province_staff, commune_a)
    assert (after["households"], after["poor"], after["poor_rate"]) == (2, 1, 50.0)
    assert not StaleFigures.objects.exists()  # nothing left for a beat that does not run


def test_with_a_worker_the_mark_waits_for_the_beat(
    registered, api, province_staff, commune_a, chair_a, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    queued = []
    monkeypatch.setattr("programs.tasks.refresh_stale_figures.delay", lambda *a, **k: queued.append(a))

    decide_poor(chair_a, registered[0], django_capture_on_commit_callbacks)

    assert queued == []  # no task per decision: the beat's five-minute run takes the mark
    assert figures_seen(api, province_staff, commune_a)["poor"] == 0
    assert StaleFigures.objects.filter(commune=commune_a).exists()
    statistics.refresh_stale_figures()  # the beat's run
    assert figures_seen(api, province_staff, commune_a)["poor"] == 1


def test_a_failing_refresh_never_undoes_the_decision(
    registered, commune_a, chair_a, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("programs.reporting.services.figures.refresh_figures", broken)

    decide_poor(chair_a, registered[0], django_capture_on_commit_callbacks)

    assert Household.objects.get(pk=registered[0].pk).status == "poor"
    assert StaleFigures.objects.filter(commune=commune_a).exists()  # put back for the next refresh
    row = CommuneYearFigures.objects.get(commune=commune_a, year=timezone.localdate().year)
    assert row.poor == 0
