"""The admin plumbing of `config.admin`: the household page is built once, with the pieces `programs` and
`support` contribute, and no app unregisters a model to replace another app's admin."""

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
from households.admin import HOUSEHOLD_PAGE, HouseholdAdmin
from households.models import AuditEntry, Household
from programs.standards import admin as standards_admin
from support import admin as support_admin

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
    assert served.inlines[3] is support_admin.site.HouseholdSupportInline
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
        standards_admin.review_links,
    ]
    assert [title for title, _ in served.fieldsets][:2] == [None, "Đặc điểm của hộ"]
    assert {"ever_poor", standards_admin.newly_escaped_until, standards_admin.review_links} <= set(
        served.readonly_fields
    )
    assert [c.name for c in HOUSEHOLD_PAGE] == ["programs.standards", "support"]


def test_no_app_unregisters_a_model_and_each_model_is_served_by_its_own_apps_admin():
    unregistering = [
        f"{file.relative_to(ROOT)}: {line.strip()}"
        for app in (*OUR_APPS, "config")
        for file in (ROOT / app).rglob("*.py")
        for line in file.read_text().splitlines()
        if ".unregister(" in line
    ]
    assert unregistering == ["households/admin.py: admin.site.unregister(Group)"]  # Django's groups: roles are ours
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
    registry.register(Contribution(name="support", inlines=(support_admin.site.HouseholdSupportInline,)))
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
