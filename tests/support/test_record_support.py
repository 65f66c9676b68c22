"""Recording a support: eligibility decides at the date; a refusal names the rule; an override needs the right
and a written reason, and is audited (domain A8, Part B §5)."""

import datetime

import pytest

from config.errors import DomainError, NotFound
from households.models import Area, AuditEntry
from programs.standards import services as program_services
from support import services
from support.models import SupportRecord
from tests.support.helpers import amount_for

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 20)


@pytest.fixture
def escaped_a(household_a, chair_a):
    """Poor from 20/12/2022, escaped on 20/12/2024: newly escaped until 20/12/2027."""
    for day, status in ((D(2022, 12, 20), "poor"), (D(2024, 12, 20), "not_poor")):
        program_services.record_status_change(
            actor=chair_a, household_id=household_a.pk, to_status=status, effective_date=day, decision_number="1/QĐ"
        )
    household_a.refresh_from_db()
    return household_a


def record(actor, household, code, day, **extra):
    return services.record_support(
        actor=actor,
        household_id=household.pk,
        type_code=code,
        date=day,
        funding_source=extra.pop("funding_source", "central"),
        today=extra.pop("today", TODAY),
        amount=extra.pop("amount", amount_for(code)),
        **extra,
    )


def test_a_newly_escaped_household_gets_livestock_until_its_window_ends(escaped_a, officer_a):
    later = D(2028, 1, 10)  # recorded after the fact
    kept = record(
        officer_a, escaped_a, "livestock_p3", D(2027, 12, 19), amount=25_000_000, cofinancing=5_000_000, today=later
    )
    assert kept.eligibility == ["hộ mới thoát nghèo (đến 20/12/2027)"]
    assert AuditEntry.objects.filter(action="support.record.created", object_id=str(kept.pk)).exists()
    with pytest.raises(DomainError) as refused:
        record(officer_a, escaped_a, "livestock_p3", D(2027, 12, 20), today=later)
    assert (refused.value.code, refused.value.field) == ("not_eligible", "household")
    assert "đã hết thời gian hộ mới thoát nghèo ngày 20/12/2027" in refused.value.message


def test_housing_of_project_5_needs_a_poor_district(escaped_a, officer_a):
    day = D(2024, 6, 1)  # still poor
    with pytest.raises(DomainError) as refused:
        record(officer_a, escaped_a, "housing_new_p5", day)
    assert "huyện nghèo" in refused.value.message
    Area.objects.filter(pk=escaped_a.commune_id).update(is_poor_district=True)
    house = record(officer_a, escaped_a, "housing_new_p5", day)
    assert house.amount == 40_000_000  # the type's default
    with pytest.raises(DomainError) as again:
        record(officer_a, escaped_a, "housing_new_p5", D(2024, 7, 1))
    assert "chỉ một lần" in again.value.message


def test_the_legacy_districts_flag_counts_too(escaped_a, officer_a, district):
    Area.objects.filter(pk=district.pk).update(is_poor_district=True)
    escaped_a.refresh_from_db()
    assert record(officer_a, escaped_a, "housing_repair_p5", D(2024, 6, 1)).amount == 20_000_000


def test_an_override_needs_the_right_and_a_reason(escaped_a, officer_a, province_staff):
    day = D(2028, 3, 1)  # long after the window
    reason = {"override_reason": "Hộ gặp thiên tai.", "today": day}
    with pytest.raises(DomainError) as refused:
        record(officer_a, escaped_a, "livestock_p3", day, **reason)
    assert (refused.value.code, refused.value.field) == ("no_override_right", "override_reason")
    kept = record(province_staff, escaped_a, "livestock_p3", day, **reason)
    assert kept.override_reason == "Hộ gặp thiên tai."
    entry = AuditEntry.objects.get(action="support.record.overridden", object_id=str(kept.pk))
    assert entry.reason == "Hộ gặp thiên tai." and entry.changes["eligible"] == [None, False]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"funding_source": "lottery"}, "funding_source"),
        ({"quantity": 0}, "quantity"),
        ({"amount": -1}, "amount"),
        ({"amount": 10, "cofinancing": 11}, "cofinancing"),
        ({"code": "castle"}, "type"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(escaped_a, officer_a, extra, field):
    code = extra.pop("code", "livestock_p3")
    with pytest.raises(DomainError) as refused:
        record(officer_a, escaped_a, code, D(2025, 3, 1), **extra)
    assert refused.value.field == field
    assert not SupportRecord.objects.exists()


def test_another_communes_household_does_not_exist(escaped_a, officer_b):
    with pytest.raises(NotFound):
        record(officer_b, escaped_a, "livestock_p3", D(2025, 3, 1))


def test_a_support_planned_more_than_a_year_ahead_is_refused(escaped_a, officer_a):
    with pytest.raises(DomainError) as refused:
        record(officer_a, escaped_a, "livestock_p3", D(2027, 11, 22))
    assert (refused.value.code, refused.value.field) == ("too_far", "date")
