"""Poverty standards and indicators in the admin: the program administrator changes them through the audited
services (`programs.standards.services`); bad input is a form error and nothing is written; officers only read."""

import pytest
from django.test import Client

from config.errors import DomainError
from households.models import AuditEntry
from programs.models import Indicator, PovertyStandard, StandardIndicator
from programs.standards import services

pytestmark = pytest.mark.django_db
STANDARDS = "/admin/programs/povertystandard/"
INDICATORS = "/admin/programs/indicator/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def standard_form(standard: PovertyStandard, rows=None, **changes) -> dict:
    """The standard's page as the browser posts it: its fields and its indicators' rows ((indicator, position,
    delete) for the rows shown, the existing ones first)."""
    data = {name: getattr(standard, name) for name in services.STANDARD_FIELDS}
    data = {name: "" if value is None else value for name, value in data.items()}
    data |= {"valid_from": day(standard.valid_from), "valid_to": day(standard.valid_to), "reason": ""}
    existing = list(StandardIndicator.objects.filter(standard_id=standard.pk).order_by("position", "id"))
    if rows is None:
        rows = [(row.indicator_id, row.position, False) for row in existing]
    prefix = "standard_indicators"
    data |= {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(len(existing))}
    for index, (indicator_id, position, delete) in enumerate(rows):
        if index < len(existing):
            data[f"{prefix}-{index}-id"] = existing[index].pk
        data |= {
            f"{prefix}-{index}-standard": standard.pk if standard.pk else "",
            f"{prefix}-{index}-indicator": indicator_id,
            f"{prefix}-{index}-position": position,
        }
        if delete:
            data[f"{prefix}-{index}-DELETE"] = "on"
    return data | changes


@pytest.fixture
def vn2022() -> PovertyStandard:
    return PovertyStandard.objects.get(code="VN-2022")


def test_a_program_admin_changes_a_line_and_it_is_audited_with_its_reason(admin_user, vn2022):
    data = standard_form(vn2022, rural_poor_line="1600000", reason="Nghị định mới")
    response = client_for(admin_user).post(f"{STANDARDS}{vn2022.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    vn2022.refresh_from_db()
    assert vn2022.rural_poor_line == 1_600_000
    entry = AuditEntry.objects.get(action="programs.standard.changed", object_id=str(vn2022.pk))
    assert (entry.actor, entry.reason) == (admin_user, "Nghị định mới")
    assert entry.changes == {"rural_poor_line": [1_500_000, 1_600_000]}


def test_the_indicators_of_a_standard_change_with_it_and_are_audited(admin_user, vn2022):
    rows = [(row.indicator_id, row.position, False) for row in vn2022.standard_indicators.order_by("position")]
    first, second = rows[0], rows[1]
    rows[0], rows[1] = (first[0], 2, False), (second[0], 1, False)  # swapped
    rows[-1] = (*rows[-1][:2], True)  # the last one removed
    response = client_for(admin_user).post(f"{STANDARDS}{vn2022.pk}/change/", standard_form(vn2022, rows))
    assert response.status_code == 302, response.context and response.context["errors"]
    order = list(vn2022.standard_indicators.order_by("position").values_list("indicator__code", flat=True))
    assert order[:2] == ["dependants", "employment"] and len(order) == 11
    entry = AuditEntry.objects.get(action="programs.standard.changed", object_id=str(vn2022.pk))
    before, after = entry.changes["indicators"]
    assert (before[:2], after[:2]) == (["1. employment", "2. dependants"], ["1. dependants", "2. employment"])
    assert len(before) == 12 and len(after) == 11 and entry.actor == admin_user


def test_a_new_standard_is_created_with_its_indicators_and_audited(admin_user, vn2022):
    new = PovertyStandard(
        code="VN-2031",
        name="Chuẩn nghèo 2031-2035",
        legal_basis="Nghị định (dự thảo)",
        valid_from=vn2022.valid_from.replace(year=2031),
        rural_poor_line=2_500_000,
        urban_poor_line=3_000_000,
    )
    employment = Indicator.objects.get(code="employment")
    data = standard_form(new, [(employment.pk, 1, False)], reason="Chuẩn mới")
    response = client_for(admin_user).post(f"{STANDARDS}add/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    created = PovertyStandard.objects.get(code="VN-2031")
    assert list(created.standard_indicators.values_list("indicator__code", "position")) == [("employment", 1)]
    entry = AuditEntry.objects.get(action="programs.standard.created", object_id=str(created.pk))
    assert entry.actor == admin_user and entry.reason == "Chuẩn mới"
    assert entry.changes["rural_poor_line"] == [None, 2_500_000] and entry.changes["indicators"] == [
        [],
        ["1. employment"],
    ]


def test_a_bad_standard_is_a_form_error_and_nothing_is_written(admin_user, vn2022):
    data = standard_form(vn2022, valid_to="01/01/2020", rural_poor_line="1600000")
    response = client_for(admin_user).post(f"{STANDARDS}{vn2022.pk}/change/", data)
    assert response.status_code == 200 and "errorlist" in response.text
    vn2022.refresh_from_db()
    assert (vn2022.rural_poor_line, vn2022.valid_to.year) == (1_500_000, 2026)
    assert not AuditEntry.objects.filter(action__startswith="programs.standard").exists()


def test_an_indicator_change_is_audited_and_a_taken_code_is_a_form_error(admin_user):
    water = Indicator.objects.get(code="water")
    client = client_for(admin_user)
    data = {"code": "water", "name": "Nguồn nước sinh hoạt an toàn", "dimension": water.dimension, "reason": "Tên mới"}
    assert client.post(f"{INDICATORS}{water.pk}/change/", data).status_code == 302
    entry = AuditEntry.objects.get(action="programs.indicator.changed", object_id=str(water.pk))
    assert entry.actor == admin_user and entry.reason == "Tên mới"
    assert entry.changes == {"name": [water.name, "Nguồn nước sinh hoạt an toàn"]}

    taken = client.post(f"{INDICATORS}{water.pk}/change/", data | {"code": "employment"})
    assert taken.status_code == 200 and "code" in taken.context["adminform"].form.errors
    assert Indicator.objects.get(pk=water.pk).code == "water"
    assert AuditEntry.objects.filter(action="programs.indicator.changed").count() == 1


def test_officers_read_standards_and_indicators_and_the_services_refuse_them(officer_a, vn2022):
    client = client_for(officer_a)
    page = client.get(f"{STANDARDS}{vn2022.pk}/change/")
    assert page.status_code == 200 and 'name="reason"' not in page.text and "Reason" not in page.text
    assert client.post(f"{STANDARDS}{vn2022.pk}/change/", standard_form(vn2022)).status_code == 403
    water = Indicator.objects.get(code="water")
    assert (
        client.post(f"{INDICATORS}{water.pk}/change/", {"code": "x", "name": "x", "dimension": "x"}).status_code == 403
    )
    with pytest.raises(DomainError, match="không có quyền"):
        services.change_standard(actor=officer_a, standard_id=vn2022.pk, data={"rural_poor_line": 1})
    with pytest.raises(DomainError, match="không có quyền"):
        services.change_indicator(actor=officer_a, indicator_id=water.pk, data={"name": "x"})
    assert not AuditEntry.objects.filter(action__startswith="programs.standard").exists()


def test_the_services_check_what_they_write(admin_user, vn2022):
    with pytest.raises(DomainError) as unknown:
        services.change_standard(actor=admin_user, standard_id=vn2022.pk, data={"id": 9})
    assert unknown.value.field == "id"
    with pytest.raises(DomainError) as duplicate:
        services.change_standard(actor=admin_user, standard_id=vn2022.pk, data={}, indicators=[(1, 1), (1, 2)])
    assert duplicate.value.field == "indicators"
    with pytest.raises(DomainError) as taken:
        services.change_indicator(actor=admin_user, indicator_id=2, data={"code": "employment"})
    assert taken.value.field == "code"
    assert services.change_standard(actor=admin_user, standard_id=vn2022.pk, data={"name": vn2022.name}) == vn2022
    assert not AuditEntry.objects.filter(action__startswith="programs.").exists()  # nothing changed, nothing logged
