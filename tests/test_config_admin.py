"""The admin plumbing of `config.admin`: a service's refusal becomes an error on the form and nothing is written;
the household page is built once, with the pieces `programs` and `support` contribute, and no app unregisters a
model to replace another app's admin."""

import datetime
import pathlib
import re

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import path

import households.admin
from config.admin import Contribution, Contributions
from config.errors import DomainError
from households import services as household_services
from households.admin import HOUSEHOLD_PAGE, HouseholdAdmin
from households.models import Area, AuditEntry, Household
from programs.models import Assessment, ReportJob, StatusChange
from programs.standards import admin as standards_admin
from support import admin as support_admin
from support.models import BudgetAllocation, InterventionType, SupportRecord
from tests.households.test_admin import change_form
from tests.programs.test_admin_reviews import survey_form

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUR_APPS = ("households", "programs", "support")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_errors(response) -> dict[str, list[str]]:
    """The errors of the page's form by field, `__all__` for those of the whole form."""
    return {name: list(errors) for name, errors in response.context["adminform"].form.errors.items()}


def audit_count() -> int:
    return AuditEntry.objects.count()


# --- a service's refusal on the add and change pages ---------------------------------------------------------


@pytest.mark.django_db
def test_a_village_refused_by_the_service_shows_on_its_field_and_is_not_written(officer_a, village_a):
    before = (Area.objects.count(), audit_count())
    response = client_for(officer_a).post(
        "/admin/households/area/add/", {"parent": village_a.parent_id, "name": "thon na phat", "code": ""}
    )
    assert response.status_code == 200
    assert form_errors(response) == {"name": [f"{village_a.parent.name} đã có thôn/tổ dân phố “thon na phat”."]}
    assert 'value="thon na phat"' in response.text  # what the officer typed is still there
    assert (Area.objects.count(), audit_count()) == before


@pytest.mark.django_db
def test_a_support_refused_by_the_service_shows_on_its_field_and_is_not_written(household_a, officer_a, chair_a):
    from programs.standards import services as program_services

    program_services.record_status_change(
        actor=chair_a,
        household_id=household_a.pk,
        to_status="poor",
        effective_date=datetime.date(2023, 1, 10),
        decision_number="1/QĐ",
    )
    before = audit_count()
    data = {
        "household": household_a.pk,
        "intervention_type": InterventionType.objects.get(code="housing_repair_temp").pk,
        "date": "15/11/2026",
        "quantity": "1",
        "amount": "1.000.000",
        "funding_source": "local",
        "cofinancing": "2.000.000",
        "note": "",
    }
    response = client_for(officer_a).post("/admin/support/supportrecord/add/", data)
    assert response.status_code == 200
    assert form_errors(response) == {"cofinancing": ["Phần hộ đối ứng phải từ 0 đến số tiền hỗ trợ."]}
    assert not SupportRecord.objects.exists() and audit_count() == before


@pytest.mark.django_db
def test_a_line_the_service_refuses_is_its_message_not_the_tables_constraint(province, province_staff):
    from support import services as support_services

    support_services.set_budget(
        actor=province_staff, area_id=province.pk, year=2026, project="P3", funding_source="central", amount=100
    )
    before = audit_count()
    data = {"area": province.pk, "year": "2026", "project": "P3", "funding_source": "central", "amount": "5"}
    response = client_for(province_staff).post("/admin/support/budgetallocation/add/", data | {"decision": ""})
    assert response.status_code == 200
    assert form_errors(response) == {"amount": ["Đã có kế hoạch vốn này (100 đồng); hãy sửa dòng đó."]}
    assert BudgetAllocation.objects.get().amount == 100 and audit_count() == before


@pytest.mark.django_db
def test_a_survey_refused_on_an_input_it_does_not_show_is_an_error_of_the_whole_form(officer_a, household_a):
    response = client_for(officer_a).post("/admin/programs/assessment/add/", survey_form(household_a, review_month="3"))
    assert response.status_code == 200
    assert form_errors(response) == {"__all__": ["Rà soát định kỳ không có tháng."]}  # not the table's constraint
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_a_decision_refused_by_the_service_writes_nothing(chair_a, household_a):
    before = audit_count()
    data = {
        "household": household_a.pk,
        "to_status": "not_poor",
        "effective_date": "01/10/2026",
        "decision_number": "1",
    }
    response = client_for(chair_a).post("/admin/programs/statuschange/add/", data)
    assert response.status_code == 200 and "trùng tình trạng hiện tại" in str(form_errors(response))
    assert not StatusChange.objects.exists() and audit_count() == before


@pytest.mark.django_db
def test_a_report_refused_by_the_service_shows_on_the_area(officer_a, commune_b):
    data = {"area": commune_b.pk, "year": "2025", "kind": "summary"}
    response = client_for(officer_a).post("/admin/programs/reportjob/add/", data)
    assert response.status_code == 200
    assert form_errors(response) == {"area": [f"“{commune_b.name}” nằm ngoài địa bàn bạn phụ trách."]}
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_a_refusal_after_a_first_write_rolls_the_whole_save_back(officer_a, household_a, monkeypatch):
    """The household's own fields are written, then its members are refused (say, a national ID another officer
    saved a moment ago): the page comes back with the message and the household is as it was."""

    def taken(**kwargs):
        raise DomainError(
            "duplicate_national_id", "Số CCCD 001080000001 đã có trong hộ khác.", "members[0].national_id"
        )

    monkeypatch.setattr(household_services, "change_members", taken)
    version, before = household_a.version, audit_count()
    client = client_for(officer_a)
    data = change_form(client, household_a, address="Tổ 9", reason="Chuyển nhà")
    response = client.post(f"/admin/households/household/{household_a.pk}/change/", data)
    assert response.status_code == 200
    assert form_errors(response) == {"__all__": ["Số CCCD 001080000001 đã có trong hộ khác."]}
    assert 'value="Tổ 9"' in response.text
    household = Household.objects.get(pk=household_a.pk)
    assert (household.address, household.version, audit_count()) == (household_a.address, version, before)


# --- the household page: built once, with what the higher apps contribute ---------------------------------------


def test_the_household_page_served_is_built_once_with_the_pieces_of_programs_and_support():
    served = admin.site._registry[Household]
    assert type(served) is HouseholdAdmin
    assert [inline.__name__ for inline in served.inlines] == [
        "MemberInline",
        "AuditInline",
        "StatusChangeInline",
        "HouseholdSupportInline",
    ]
    assert served.inlines[2] is standards_admin.StatusChangeInline
    assert served.inlines[3] is support_admin.records.HouseholdSupportInline
    assert served.list_filter == [
        households.admin.CommuneFilter,
        households.admin.VillageFilter,
        "status",
        standards_admin.NewlyEscapedFilter,
        "ever_poor",
        "area_type",
        "is_ethnic_minority",
        "has_revolutionary_contributor",
        "has_social_protection_member",
        "no_labour_capacity",
        "is_female_headed",
    ]
    status = served.fieldsets[2][1]["fields"]
    assert status == [
        "status",
        "status_since",
        "ever_poor",
        standards_admin.newly_escaped_until,
        "head",
        "version",
    ]
    assert [title for title, _ in served.fieldsets][:2] == [None, "Đặc điểm của hộ"]
    assert {"ever_poor", standards_admin.newly_escaped_until} <= set(served.readonly_fields)
    assert [c.name for c in HOUSEHOLD_PAGE] == ["programs.standards", "support"]
    # the buttons at the top of the page: the survey's, the decision's and the review's, then the support's
    assert [c.tools for c in HOUSEHOLD_PAGE] == [standards_admin.household_tools, support_admin.records.household_tools]


def test_no_app_unregisters_a_model_and_each_model_is_served_by_its_own_apps_admin():
    unregistering = [
        f"{file.relative_to(ROOT)}: {line.strip()}"
        for app in (*OUR_APPS, "config")
        for file in (ROOT / app).rglob("*.py")
        for line in file.read_text().splitlines()
        if ".unregister(" in line
    ]
    # Django's groups: roles are ours; django-otp's devices: their pages show secrets, the officers' page the state;
    # django-rest-knox's token page adds and deletes tokens unaudited: tokens are issued by the API's sign-in or the
    # command line and revoked from the accounts' page (households.admin.sign_in)
    assert sorted(unregistering) == [
        "households/admin/officers.py: admin.site.unregister(Group)",
        "households/admin/second_factor.py: admin.site.unregister(StaticDevice)",
        "households/admin/second_factor.py: admin.site.unregister(TOTPDevice)",
        "households/admin/sign_in.py: admin.site.unregister(AuthToken)",
    ]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in OUR_APPS:
            assert type(model_admin).__module__.split(".")[0] == model._meta.app_label, model


def test_households_imports_neither_programs_nor_support():
    imports = re.compile(r"^\s*(?:from|import)\s+(programs|support)\b", re.MULTILINE)
    offenders = [str(f.relative_to(ROOT)) for f in (ROOT / "households").rglob("*.py") if imports.search(f.read_text())]
    assert offenders == []


@admin.action(description="Đánh dấu")
def mark(modeladmin, request, queryset):
    """An action a contribution adds."""


def test_contributions_are_placed_where_they_say_in_the_order_of_the_apps():
    registry = Contributions()

    class Page(HouseholdAdmin):
        contributions = registry

    def extra_urls(model_admin):
        return [path("extra/", lambda request: None, name="households_household_extra")]

    # registered out of order: the page follows INSTALLED_APPS (households, programs, support)
    registry.register(Contribution(name="support", inlines=(support_admin.records.HouseholdSupportInline,)))
    registry.register(
        Contribution(
            name="programs.standards",
            inlines=(standards_admin.StatusChangeInline,),
            list_filters={"status": ("ever_poor",)},
            fields={"head": ("ever_poor",)},
            actions=(mark,),
            urls=extra_urls,
        )
    )
    page = Page(Household, AdminSite(name="contributions_test"))
    assert [inline.__name__ for inline in page.inlines][2:] == ["StatusChangeInline", "HouseholdSupportInline"]
    assert page.list_filter[2:4] == ["status", "ever_poor"]
    assert page.fieldsets[2][1]["fields"] == ["status", "status_since", "head", "ever_poor", "version"]
    assert page.actions == [mark]
    assert page.get_urls()[0].name == "households_household_extra"
    assert HouseholdAdmin.own_fieldsets[2][1]["fields"] == ["status", "status_since", "head", "version"]  # untouched

    registry.register(Contribution(name="support", list_filters={"no_such_filter": ("ever_poor",)}))
    with pytest.raises(ImproperlyConfigured, match="no_such_filter"):
        page.list_filter  # noqa: B018
