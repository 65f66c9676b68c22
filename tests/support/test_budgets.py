"""Budget allocations (domain A8): set within one's scope, at province, district or commune level, adding up (what
is given below never exceeds the envelope above, in both directions); planned against delivered per project and
source, and per commune. Expected numbers are summed here from the seeded rows, not read from the code."""

import datetime

import pytest

from config.errors import DomainError, StaleVersion
from households import rules as household_rules
from households import services as household_services
from households.models import Area, AuditEntry
from programs.standards import services as program_services
from support import selectors, services
from support.models import BudgetAllocation

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 20)
M = 1_000_000


def budget(actor, area, amount, *, year=2025, project="P3", source="central", **extra):
    return services.set_budget(
        actor=actor, area_id=area.pk, year=year, project=project, funding_source=source, amount=amount, **extra
    )


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    return error.value


# --- who may allocate, where --------------------------------------------------------------------------------


def test_a_commune_officer_does_not_allocate_budgets(officer_a, commune_a):
    error = refused(budget, officer_a, commune_a, 10 * M)
    assert (error.code, error.field) == ("no_right", "actor")


def test_district_staff_allocate_within_their_district_only(district_staff, commune_a, commune_b, province, district):
    assert budget(district_staff, commune_a, 10 * M).amount == 10 * M
    assert budget(district_staff, district, 20 * M).amount == 20 * M
    for outside in (commune_b, province):
        error = refused(budget, district_staff, outside, 10 * M)
        assert (error.code, error.field) == ("out_of_scope", "area")
    assert BudgetAllocation.objects.count() == 2


def test_province_staff_do_not_allocate_in_another_province(province_staff, other_commune):
    assert refused(budget, province_staff, other_commune, M).code == "out_of_scope"


def test_a_village_gets_no_budget_of_its_own(admin_user, village_a):
    error = refused(budget, admin_user, village_a, M)
    assert (error.code, error.field) == ("invalid_level", "area")


@pytest.mark.parametrize("area_id, code", [(10**12, "unknown_area"), (0, "invalid"), (-3, "invalid")])
def test_an_unknown_area_is_refused_naming_the_area(admin_user, area_id, code):
    with pytest.raises(DomainError) as refused:
        services.set_budget(
            actor=admin_user, area_id=area_id, year=2025, project="P3", funding_source="central", amount=1
        )
    assert (refused.value.code, refused.value.field) == (code, "area")
    assert not BudgetAllocation.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"year": 2020}, "year"),
        ({"year": 2041}, "year"),
        ({"project": "P8"}, "project"),
        ({"source": "lottery"}, "funding_source"),
        ({"amount": -1}, "amount"),
        ({"amount": 10**15 + 1}, "amount"),
    ],
)
def test_bad_budget_input_names_the_field(province_staff, province, extra, field):
    amount = extra.pop("amount", M)
    error = refused(budget, province_staff, province, amount, **extra)
    assert (error.code, error.field) == ("invalid", field)
    assert not BudgetAllocation.objects.exists()


# --- adding up -------------------------------------------------------------------------------------------------


@pytest.fixture
def envelope(province_staff, province):
    return budget(province_staff, province, 100 * M, decision="15/QĐ-UBND")


def test_communes_may_not_be_given_more_than_the_province_envelope(envelope, province_staff, commune_a, commune_b):
    budget(province_staff, commune_a, 60 * M)
    error = refused(budget, province_staff, commune_b, 40 * M + 1)
    assert (error.code, error.field) == ("does_not_add_up", "amount")
    assert "100.000.000" in error.message and "100.000.001" in error.message
    assert budget(province_staff, commune_b, 40 * M).amount == 40 * M  # exactly the envelope


def test_the_province_may_not_be_lowered_below_what_it_gave_out(
    envelope, province_staff, province, commune_a, commune_b
):
    budget(province_staff, commune_a, 60 * M)
    budget(province_staff, commune_b, 30 * M)
    error = refused(budget, province_staff, province, 90 * M - 1)
    assert error.code == "does_not_add_up" and "90.000.000" in error.message
    assert BudgetAllocation.objects.get(area=province).amount == 100 * M
    assert budget(province_staff, province, 90 * M, version=envelope.version).amount == 90 * M


def test_raising_a_commune_checks_the_envelope_again(envelope, province_staff, commune_a, commune_b):
    budget(province_staff, commune_a, 60 * M)
    budget(province_staff, commune_b, 40 * M)
    assert refused(budget, province_staff, commune_a, 61 * M).code == "does_not_add_up"
    assert budget(province_staff, commune_a, 50 * M).amount == 50 * M
    assert budget(province_staff, commune_b, 50 * M).amount == 50 * M


def test_a_district_envelope_sits_between_the_province_and_its_communes(
    envelope, province_staff, district, commune_a, commune_b
):
    budget(province_staff, commune_a, 60 * M)
    budget(province_staff, commune_b, 30 * M)
    assert refused(budget, province_staff, district, 59 * M).code == "does_not_add_up"  # below its commune
    assert refused(budget, province_staff, district, 71 * M).code == "does_not_add_up"  # 71 + 30 > 100
    budget(province_staff, district, 65 * M)
    assert refused(budget, province_staff, commune_a, 66 * M).code == "does_not_add_up"  # above its district
    assert budget(province_staff, commune_a, 65 * M).amount == 65 * M


def test_lines_of_another_year_project_or_source_do_not_add_up_together(envelope, province_staff, commune_a):
    budget(province_staff, commune_a, 100 * M)
    assert budget(province_staff, commune_a, 500 * M, year=2026).amount == 500 * M
    assert budget(province_staff, commune_a, 500 * M, project="P5").amount == 500 * M
    assert budget(province_staff, commune_a, 500 * M, source="local").amount == 500 * M


def test_a_commune_without_an_envelope_above_stands_alone(province_staff, commune_a, province):
    budget(province_staff, commune_a, 70 * M)
    assert refused(budget, province_staff, province, 69 * M).code == "does_not_add_up"
    assert budget(province_staff, province, 70 * M).amount == 70 * M


# --- the update path ---------------------------------------------------------------------------------------------


def test_changing_an_allocation_keeps_one_row_bumps_the_version_and_audits(envelope, province_staff, district_staff):
    changed = budget(province_staff, envelope.area, 120 * M, version=envelope.version)
    assert BudgetAllocation.objects.count() == 1
    stored = BudgetAllocation.objects.get()
    assert (stored.pk, stored.amount, stored.version, stored.decision) == (
        envelope.pk,
        120 * M,
        envelope.version + 1,
        "15/QĐ-UBND",  # kept when none is given
    )
    assert changed.version == stored.version
    entries = AuditEntry.objects.filter(action="support.budget.set", object_id=str(envelope.pk)).order_by("id")
    assert [e.changes["amount"] for e in entries] == [[None, 100 * M], [100 * M, 120 * M]]
    assert entries.last().actor == province_staff


def test_a_change_on_a_stale_version_is_a_conflict(envelope, province_staff):
    budget(province_staff, envelope.area, 120 * M, version=envelope.version)
    with pytest.raises(StaleVersion) as stale:
        budget(province_staff, envelope.area, 130 * M, version=envelope.version)
    assert stale.value.http_status == 409
    assert BudgetAllocation.objects.get().amount == 120 * M


# --- planned against delivered -----------------------------------------------------------------------------------

ALLOCATIONS = [
    # area, year, project, source, amount
    ("province", 2025, "P3", "central", 1_000 * M),
    ("province", 2025, "P3", "local", 200 * M),
    ("province", 2025, "P5", "central", 500 * M),
    ("province", 2026, "P3", "central", 900 * M),
    ("a", 2025, "P3", "central", 300 * M),
    ("a", 2025, "P5", "central", 200 * M),
    ("b", 2025, "P3", "central", 250 * M),
    ("b", 2026, "P3", "central", 100 * M),
]
SUPPORTS = [
    # commune, type, date, status, amount, co-financing, source
    ("a", "livestock_p3", D(2025, 3, 1), "planned", 10 * M, 2 * M, "central"),
    ("a", "livestock_p3", D(2025, 3, 2), "approved", 20 * M, 0, "central"),
    ("a", "livestock_p3", D(2025, 3, 3), "delivered", 25 * M, 5 * M, "central"),
    ("a", "livestock_p3", D(2025, 3, 4), "cancelled", 30 * M, 0, "central"),
    ("a", "livestock_p3", D(2025, 3, 5), "delivered", 8 * M, 1 * M, "local"),
    ("a", "housing_repair_p5", D(2025, 4, 1), "delivered", 20 * M, 0, "central"),
    ("b", "livestock_p3", D(2025, 5, 1), "delivered", 12 * M, 3 * M, "central"),
    ("b", "livestock_p3", D(2026, 2, 1), "delivered", 15 * M, 0, "central"),
    ("b", "livestock_p3", D(2026, 2, 2), "approved", 4 * M, 0, "central"),
]
PROJECT = {"livestock_p3": "P3", "housing_repair_p5": "P5"}


@pytest.fixture
def seeded(
    province, commune_a, commune_b, district, household_a, household_b, officer_a, officer_b, chair_a, province_staff
):
    Area.objects.filter(pk=commune_a.pk).update(is_poor_district=True)
    chair_b = household_services.create_officer(
        actor=None, username="chutich_b", role=household_rules.Role.COMMUNE_CHAIR, area=commune_b
    )
    areas = {"province": province, "a": commune_a, "b": commune_b}
    for key, year, project, source, amount in ALLOCATIONS:
        budget(province_staff, areas[key], amount, year=year, project=project, source=source)
    people = {"a": (household_a, officer_a, chair_a), "b": (household_b, officer_b, province_staff)}
    for household, _, chair in people.values():
        program_services.record_status_change(
            actor=chair if chair != province_staff else chair_b,
            household_id=household.pk,
            to_status="poor",
            effective_date=D(2024, 12, 20),
            decision_number="9/QĐ",
        )
    for key, code, day, status, amount, cofinancing, source in SUPPORTS:
        household, officer, approver = people[key]
        kept = services.record_support(
            actor=officer,
            household_id=household.pk,
            type_code=code,
            date=day,
            amount=amount,
            cofinancing=cofinancing,
            funding_source=source,
            today=TODAY,
        )
        if status in ("approved", "delivered"):
            kept = services.approve_support(actor=approver, record_id=kept.pk, version=None, day=day)
        if status == "delivered":
            kept = services.deliver_support(
                actor=officer, record_id=kept.pk, version=None, delivered_on=day, today=TODAY
            )
        if status == "cancelled":
            services.cancel_support(actor=officer, record_id=kept.pk, version=None, reason="Nhầm.", day=day)
    return areas


def expected_lines(keys, year, own_key=None, below_keys=()):
    """What budget_summary should show for the communes `keys`: sums over the seeded rows."""
    lines = {}

    def line(project, source):
        return lines.setdefault(
            (project, source),
            {"allocated": 0, "distributed": 0, "committed": 0, "delivered": 0, "cofinancing": 0},
        )

    for key, y, project, source, amount in ALLOCATIONS:
        if y != year:
            continue
        if key == own_key:
            line(project, source)["allocated"] += amount
        if key in below_keys:
            line(project, source)["distributed"] += amount
    for key, code, day, status, amount, cofinancing, source in SUPPORTS:
        if key not in keys or day.year != year or status == "cancelled":
            continue
        target = line(PROJECT[code], source)
        if status == "delivered":
            target["delivered"] += amount - cofinancing
            target["cofinancing"] += cofinancing
        else:
            target["committed"] += amount - cofinancing
    return lines


def shown(area, year):
    return {
        (row.project, row.funding_source): {
            "allocated": row.allocated,
            "distributed": row.distributed,
            "committed": row.committed,
            "delivered": row.delivered,
            "cofinancing": row.cofinancing,
        }
        for row in selectors.budget_summary(area, year)
    }


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_province_sees_its_envelopes_what_it_gave_out_and_what_was_spent(seeded, year):
    expected = expected_lines({"a", "b"}, year, own_key="province", below_keys={"a", "b"})
    assert shown(seeded["province"], year) == expected


def test_a_commune_sees_its_own_envelopes_and_spending(seeded):
    assert shown(seeded["a"], 2025) == expected_lines({"a"}, 2025, own_key="a")
    assert shown(seeded["b"], 2026) == expected_lines({"b"}, 2026, own_key="b")


def test_a_district_without_an_envelope_shows_those_of_its_communes_as_given_out(seeded, district):
    expected = expected_lines({"a"}, 2025)
    for key, year, project, source, amount in ALLOCATIONS:
        if key == "a" and year == 2025:
            expected[(project, source)]["allocated"] += amount
            expected[(project, source)]["distributed"] += amount
    assert shown(district, 2025) == expected


def test_what_remains_is_the_envelope_less_committed_and_delivered(seeded):
    for row in selectors.budget_summary(seeded["province"], 2025):
        assert row.remaining == row.allocated - row.committed - row.delivered
        assert row.as_dict()["remaining"] == row.remaining


def test_each_commune_shows_its_envelope_and_what_it_delivered(seeded, province):
    rows = {row["area"]: row for row in selectors.budget_by_commune(province, 2025)}
    for key in ("a", "b"):
        area = seeded[key]
        allocated = sum(a for k, y, _, _, a in ALLOCATIONS if k == key and y == 2025)
        delivered = sum(
            amount - cofinancing
            for k, _, day, status, amount, cofinancing, _ in SUPPORTS
            if k == key and day.year == 2025 and status == "delivered"
        )
        assert (rows[area.pk]["allocated"], rows[area.pk]["delivered"]) == (allocated, delivered)
        assert rows[area.pk]["code"] == area.code
    others = [row for pk, row in rows.items() if pk not in (seeded["a"].pk, seeded["b"].pk)]
    assert others and all(row["allocated"] == row["delivered"] == 0 for row in others)
    assert set(rows) == set(
        Area.objects.filter(path__startswith=province.path, level="commune").values_list("pk", flat=True)
    )


def test_a_district_lists_only_its_communes(seeded, district):
    assert [row["area"] for row in selectors.budget_by_commune(district, 2025)] == [seeded["a"].pk]
