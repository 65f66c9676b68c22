"""The demo support history (seed_support) and the planners' views on it: targeting, budgets and outcomes give
the numbers counted independently here, straight from the rows."""

import datetime
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from households.models import Area, AuditEntry, Household
from programs.models import Assessment, StatusChange
from support import selectors
from support.models import BudgetAllocation, Loan, SupportRecord

pytestmark = pytest.mark.django_db
LISTED = ("poor", "near_poor")


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo's 400 households, their 2025 review and support history, seeded once for the module's tests and
    rolled back after them; each test runs in its own transaction inside, so what one writes the next never sees
    (as tests/support/test_setup_demo.py). The fast hasher as tests/conftest.py's for every test."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("seed_demo", "--households", "400", stdout=StringIO())
        call_command("seed_reviews", "--year", "2025", stdout=StringIO())
        out = StringIO()
        call_command("seed_support", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


@pytest.fixture
def province(seeded):
    return Area.objects.get(level="province", code="15")


def test_every_kind_of_history_is_there_and_a_second_run_writes_nothing(seeded, province):
    records = SupportRecord.objects.filter(household__province=province)
    kinds = set(records.values_list("intervention_type__kind", flat=True))
    assert {"health_insurance", "livestock", "training", "credit"} <= kinds
    assert kinds & {"housing_new", "housing_repair"}
    assert set(records.values_list("status", flat=True)) >= {"delivered", "planned"}
    assert Loan.objects.filter(record__household__province=province).exists()
    # every record is audited, by who recorded it
    audited = set(AuditEntry.objects.filter(action__startswith="support.record.").values_list("object_id", flat=True))
    assert {str(pk) for pk in records.values_list("pk", flat=True)} <= audited
    # health-insurance cards: every household listed by the 2025 decision, once
    listed_2025 = set(
        StatusChange.objects.filter(
            household__province=province, effective_date=datetime.date(2025, 12, 15)
        ).values_list("household_id", flat=True)
    )
    carded = records.filter(intervention_type__kind="health_insurance").values_list("household_id", flat=True)
    assert sorted(carded) == sorted(listed_2025)
    before = (records.count(), AuditEntry.objects.count())
    out = StringIO()
    call_command("seed_support", stdout=out)
    assert "không ghi gì thêm" in out.getvalue()
    assert (records.count(), AuditEntry.objects.count()) == before


def test_delivered_livestock_has_its_follow_ups_and_those_due_are_recorded(seeded, province):
    cows = SupportRecord.objects.filter(intervention_type__code="livestock_p3", status="delivered")
    assert cows.exists()
    today = timezone.localdate()
    for record in cows:
        codes = {f.code: f for f in record.follow_ups.all()}
        assert set(codes) == {"alive_6m", "alive_12m"}
        for follow_up in codes.values():
            assert (follow_up.result != "") == (follow_up.due_on <= today)


def test_the_targeting_list_is_the_deprived_households_without_housing_support(seeded, province):
    since = datetime.date(2020, 1, 1)
    found = selectors.targeting(
        Household.objects.filter(province=province), indicator="housing_quality", statuses=LISTED, since=since
    )
    latest = {}
    for household_id, deprived in (
        Assessment.objects.filter(household__province=province, is_current=True)
        .order_by("household_id", "survey_date", "id")
        .values_list("household_id", "deprived")
    ):
        latest[household_id] = deprived
    housed = set(
        SupportRecord.objects.filter(
            status="delivered", delivered_on__gte=since, intervention_type__kind__in=["housing_new", "housing_repair"]
        ).values_list("household_id", flat=True)
    )
    expected = {
        pk
        for pk, status in Household.objects.filter(province=province).values_list("pk", "status")
        if status in LISTED and "housing_quality" in latest.get(pk, []) and pk not in housed
    }
    assert expected, "the demo should leave some deprived households without a house"
    assert set(found.values_list("pk", flat=True)) == expected


def test_budgets_add_up_and_the_summary_counts_the_delivered_budget_share(seeded, province):
    year = 2026
    lines = {(line.project, line.funding_source): line for line in selectors.budget_summary(province, year)}
    for budget in BudgetAllocation.objects.filter(area=province, year=year):
        line = lines[(budget.project, budget.funding_source)]
        assert line.allocated == budget.amount
        below = BudgetAllocation.objects.filter(
            area__path__startswith=province.path,
            year=year,
            project=budget.project,
            funding_source=budget.funding_source,
        ).exclude(area=province)
        assert line.distributed == sum(b.amount for b in below) <= budget.amount
    delivered = defaultdict(int)
    for project, source, amount, cofinancing in SupportRecord.objects.filter(
        household__province=province, status="delivered", delivered_on__year=year
    ).values_list("intervention_type__project", "funding_source", "amount", "cofinancing"):
        delivered[(project, source)] += amount - cofinancing
    assert {k: v.delivered for k, v in lines.items() if v.delivered} == dict(delivered)
    assert sum(line.delivered for line in lines.values()) > 0


def test_outcomes_count_escapes_and_the_relapse_of_supported_households(seeded, province):
    year = 2025  # health-insurance cards after the decision of 15/12/2025; the escapes come in 2026
    today = timezone.localdate()
    years, total, by_project = selectors.outcomes(Household.objects.filter(province=province), year, today=today)
    assert years == [y for y in (2026, 2027) if datetime.date(y, 1, 1) <= today]  # the current year so far
    supported = set(
        SupportRecord.objects.filter(
            household__province=province, status="delivered", delivered_on__year=year
        ).values_list("household_id", flat=True)
    )
    assert total.supported == len(supported)
    relapsed = {
        code
        for (code,) in Household.objects.filter(
            pk__in=supported,
            status_changes__event__startswith="relapsed",
            status_changes__effective_date__gt=f"{year}-12-28",
        ).values_list("code")
    }
    assert relapsed, "the demo has one household falling back in commune A"
    assert set(total.relapsed_households) == relapsed
    poor_then = set(
        StatusChange.objects.filter(
            household_id__in=supported, to_status="poor", effective_date=datetime.date(2025, 12, 15)
        ).values_list("household_id", flat=True)
    )
    out_now = set(Household.objects.filter(pk__in=poor_then).exclude(status="poor").values_list("pk", flat=True))
    assert out_now, "the demo has supported poor households escaping in commune A"
    assert total.poor == len(poor_then)
    assert total.out_of_poverty[2026] == len(out_now)
    assert sum(row.supported for row in by_project) >= total.supported
