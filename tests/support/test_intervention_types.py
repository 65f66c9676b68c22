"""Intervention types: the defaults of A8 are data with their legal source; officers read, admins set (audited)."""

import datetime

import pytest
from django.test import Client

from config.errors import DomainError
from households.models import AuditEntry
from support import services
from support.models import InterventionType
from support.rules import HouseholdAtDate, check_eligibility

pytestmark = pytest.mark.django_db
URL = "/admin/support/interventiontype/"


def test_the_defaults_of_a8_are_loaded_with_their_sources():
    amounts = dict(InterventionType.objects.values_list("code", "default_amount"))
    assert amounts["housing_new_p5"] == 40_000_000  # Circular 01/2022/TT-BXD
    assert amounts["housing_repair_p5"] == 20_000_000
    assert amounts["housing_new_temp"] == 60_000_000  # 2024-2025 temporary-house campaign
    assert amounts["housing_repair_temp"] == 30_000_000
    rates = dict(InterventionType.objects.exclude(annual_rate_bp=None).values_list("code", "annual_rate_bp"))
    assert rates == {"credit_poor": 660, "credit_near_poor": 792, "credit_newly_escaped": 825, "credit_housing": 300}
    assert all(t.legal_source for t in InterventionType.objects.all())
    assert set(InterventionType.objects.filter(kind="health_insurance").values_list("code", flat=True)) == {
        "hi_poor",
        "hi_near_poor",
    }


def test_a_types_rule_drives_eligibility():
    housing = InterventionType.objects.get(code="housing_new_p5")
    poor = HouseholdAtDate(history=((datetime.date(2025, 12, 20), "poor"),), in_poor_district=False)
    result = check_eligibility(housing.rule(), poor, datetime.date(2026, 3, 1))
    assert not result.eligible and "huyện nghèo" in result.reasons[0]
    credit = InterventionType.objects.get(code="credit_newly_escaped")
    escaped = HouseholdAtDate(
        history=((datetime.date(2023, 12, 20), "poor"), (datetime.date(2025, 12, 20), "not_poor")),
        in_poor_district=False,
    )
    assert check_eligibility(credit.rule(), escaped, datetime.date(2026, 3, 1)).eligible


def test_officers_read_the_types_and_cannot_change_them(officer_a):
    client = Client()
    client.force_login(officer_a)
    assert client.get(URL).status_code == 200
    housing = InterventionType.objects.get(code="housing_new_p5")
    page = client.get(f"{URL}{housing.pk}/change/")
    assert page.status_code == 200 and 'name="default_amount"' not in page.text  # read-only
    assert client.post(f"{URL}{housing.pk}/change/", {"default_amount": 1}).status_code == 403
    housing.refresh_from_db()
    assert housing.default_amount == 40_000_000


def test_a_program_admin_changes_an_amount_and_it_is_audited(admin_user):
    client = Client()
    client.force_login(admin_user)
    housing = InterventionType.objects.get(code="housing_new_p5")
    data = {
        "code": housing.code,
        "name": housing.name,
        "project": housing.project,
        "kind": housing.kind,
        "addresses": ["housing_quality", "housing_area"],
        "default_amount": 45_000_000,
        "unit": housing.unit,
        "eligible_statuses": ["poor", "near_poor"],
        "newly_escaped_months": 36,
        "poor_district_only": "on",
        "limit": "once",
        "legal_source": housing.legal_source,
        "active": "on",
    }
    response = client.post(f"{URL}{housing.pk}/change/", data)
    assert response.status_code == 302
    housing.refresh_from_db()
    assert housing.default_amount == 45_000_000
    entry = AuditEntry.objects.get(action="support.intervention_type.changed", object_id=str(housing.pk))
    assert entry.changes["default_amount"] == [40_000_000, 45_000_000]


def test_a_type_for_nobody_is_refused(admin_user):
    client = Client()
    client.force_login(admin_user)
    data = {"code": "x", "name": "X", "project": "other", "kind": "other", "default_amount": 0, "unit": "hộ"}
    data |= {"newly_escaped_months": 36, "limit": "none", "legal_source": "—", "active": "on"}
    response = client.post(f"{URL}add/", data)
    assert response.status_code == 200
    assert "Phải chọn ít nhất một tình trạng" in response.text
    assert not InterventionType.objects.filter(code="x").exists()


def test_a_change_of_a_type_is_audited_with_its_reason(admin_user):
    client = Client()
    client.force_login(admin_user)
    livestock = InterventionType.objects.get(code="livestock_p3")
    data = {
        **{name: getattr(livestock, name) for name in ("code", "name", "project", "kind", "legal_source")},
        "default_amount": 20_000_000,
        "unit": "con",
        "eligible_statuses": ["poor", "near_poor"],
        "newly_escaped": "on",
        "newly_escaped_months": 36,
        "limit": "none",
        "active": "on",
        "reason": " Nghị quyết HĐND tỉnh về mức hỗ trợ con giống. ",
    }
    assert client.post(f"{URL}{livestock.pk}/change/", data).status_code == 302
    entry = AuditEntry.objects.get(action="support.intervention_type.changed", object_id=str(livestock.pk))
    assert entry.reason == "Nghị quyết HĐND tỉnh về mức hỗ trợ con giống."
    assert entry.changes["default_amount"] == [0, 20_000_000] and "reason" not in entry.changes


def test_the_code_and_kind_of_a_type_are_fixed_once_it_exists(admin_user):
    client = Client()
    client.force_login(admin_user)
    credit = InterventionType.objects.get(code="credit_poor")
    data = {
        **{name: getattr(credit, name) for name in ("name", "project", "unit", "legal_source")},
        "code": "credit_poor_2027",
        "kind": "livestock",
        "default_amount": 0,
        "annual_rate_bp": 660,
        "eligible_statuses": ["poor"],
        "newly_escaped_months": 36,
        "limit": "none",
        "active": "on",
    }
    assert client.post(f"{URL}{credit.pk}/change/", data).status_code == 302
    credit.refresh_from_db()
    assert (credit.code, credit.kind) == ("credit_poor", "credit")  # the loans' default type still exists


def test_a_new_type_is_made_by_the_service_and_audited(admin_user):
    client = Client()
    client.force_login(admin_user)
    data = {"code": "seeds_p3", "name": "Giống cây trồng", "project": "P3", "kind": "other", "default_amount": 500_000}
    data |= {"unit": "hộ", "eligible_statuses": ["poor"], "newly_escaped_months": 36, "limit": "per_year"}
    data |= {"legal_source": "Nghị quyết HĐND tỉnh", "active": "on", "reason": "Chính sách mới của tỉnh"}
    assert client.post(f"{URL}add/", data).status_code == 302
    seeds = InterventionType.objects.get(code="seeds_p3")
    entry = AuditEntry.objects.get(action="support.intervention_type.created", object_id=str(seeds.pk))
    assert (entry.actor, entry.reason) == (admin_user, "Chính sách mới của tỉnh")
    assert entry.changes["default_amount"] == [None, 500_000] and entry.changes["eligible_statuses"] == [None, ["poor"]]


def test_a_taken_code_is_a_form_error_and_nothing_is_written(admin_user):
    client = Client()
    client.force_login(admin_user)
    data = {"code": "livestock_p3", "name": "Trùng mã", "project": "P3", "kind": "other", "default_amount": 0}
    data |= {"unit": "hộ", "eligible_statuses": ["poor"], "newly_escaped_months": 36, "limit": "none"}
    response = client.post(f"{URL}add/", data | {"legal_source": "—", "active": "on"})
    assert response.status_code == 200 and "code" in response.context["adminform"].form.errors
    assert InterventionType.objects.filter(code="livestock_p3").count() == 1
    assert not AuditEntry.objects.filter(action__startswith="support.intervention_type").exists()


def test_the_service_keeps_a_types_code_and_kind_and_needs_the_right(admin_user, officer_a):
    credit = InterventionType.objects.get(code="credit_poor")
    with pytest.raises(DomainError) as fixed:
        services.change_intervention_type(actor=admin_user, type_id=credit.pk, data={"kind": "livestock"})
    assert fixed.value.field == "kind"
    with pytest.raises(DomainError) as nobody:
        services.change_intervention_type(actor=admin_user, type_id=credit.pk, data={"eligible_statuses": []})
    assert nobody.value.field == "eligible_statuses"
    with pytest.raises(DomainError, match="không có quyền"):
        services.change_intervention_type(actor=officer_a, type_id=credit.pk, data={"default_amount": 1})
    credit.refresh_from_db()
    assert (credit.kind, credit.eligible_statuses, credit.default_amount) == ("credit", ["poor"], 0)
    assert not AuditEntry.objects.filter(action__startswith="support.intervention_type").exists()
