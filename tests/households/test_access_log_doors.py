"""Every door that shows households' personal data leaves one record in the access log per request (households.access):
each list and detail of the API and each changelist and change page of the admin, with the households shown, for
one query more than without the log (the ids are read from the rows already fetched). The doors are read from the
registries (the admin site, the API router), so a new admin or viewset of a model of households cannot be forgotten.
"""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from config.urls import router
from households.access import AccessLogAdminMixin, AccessLogViewSetMixin, household_path
from households.models import AccessRecord, Household
from programs.models import Assessment, ReviewCase, StatusChange
from support import services as support
from support.models import Loan, SupportFollowUp, SupportRecord
from tests.programs.review_helpers import make_poor, open_review, survey

pytestmark = pytest.mark.django_db
D = datetime.date


def viewset_model(viewset, user):
    """The model a viewset lists for `user`: its queryset's, else its serializer's (None for neither)."""
    view = viewset(action="list", kwargs={}, format_kwarg=None)
    view.request = Request(APIRequestFactory().get("/"))
    view.request.user = user
    try:
        return view.get_queryset().model
    except AssertionError:  # no queryset: a view that builds its answer itself
        meta = getattr(getattr(viewset, "serializer_class", None), "Meta", None)
        return getattr(meta, "model", None)


def test_every_admin_of_a_model_of_households_records_its_pages():
    covered = {model for model, model_admin in admin.site._registry.items() if household_path(model) is not None}
    assert {Household, Assessment, StatusChange, ReviewCase, SupportRecord, Loan} <= covered
    missing = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if household_path(model) is not None and not isinstance(model_admin, AccessLogAdminMixin)
    ]
    assert missing == []


HOUSEHOLD_VIEWSETS = {
    "households": Household,
    "assessments": Assessment,
    "status-changes": StatusChange,
    "review-cases": ReviewCase,
    "support-records": SupportRecord,
    "support-follow-ups": SupportFollowUp,
    "loans": Loan,
    "support-targeting": Household,
}


def test_every_viewset_of_a_model_of_households_records_what_it_answers(admin_user):
    models = {prefix: viewset_model(viewset, admin_user) for prefix, viewset, _basename in router.registry}
    assert {prefix: models[prefix] for prefix in HOUSEHOLD_VIEWSETS} == HOUSEHOLD_VIEWSETS  # the walk finds them
    missing = [
        prefix
        for prefix, viewset, _basename in router.registry
        if models[prefix] is not None
        and household_path(models[prefix]) is not None
        and not issubclass(viewset, AccessLogViewSetMixin)
    ]
    assert missing == []


# --- one record and one query per request, at every door -----------------------------------------------------


@pytest.fixture
def everything(household_a, officer_a, chair_a, admin_user, commune_a):
    """Household A with a row of each kind: its status decision, a survey, a review case, a support delivered (with
    its follow-ups) and a loan."""
    household = make_poor(household_a, admin_user)
    open_review(commune_a)
    survey(officer_a, household, income=5_000_000)
    record = support.record_support(
        actor=officer_a,
        household_id=household.pk,
        type_code="livestock_p3",
        date=D(2026, 3, 1),
        funding_source="central",
        amount=20_000_000,
    )
    record = support.approve_support(actor=chair_a, record_id=record.pk, version=record.version, day=D(2026, 3, 5))
    support.deliver_support(actor=officer_a, record_id=record.pk, version=record.version, delivered_on=D(2026, 3, 10))
    support.record_loan(
        actor=officer_a,
        household_id=household.pk,
        principal=50_000_000,
        term_months=240,
        disbursed_on=D(2026, 2, 1),
        purpose="Mua bò giống",
    )
    return household


def one_of(model, household):
    """The id of a row of `model` of the household (through its path to the household)."""
    lookup = "__".join(name.removesuffix("_id") for name in household_path(model) if name != "pk") or "pk"
    return model.objects.filter(**{lookup: household.pk}).values_list("pk", flat=True).first()


API_DOORS = [prefix for prefix in HOUSEHOLD_VIEWSETS if prefix != "support-targeting"]
ADMIN_DOORS = [
    "households/household",
    "households/auditentry",
    "programs/assessment",
    "programs/statuschange",
    "programs/reviewcase",
    "support/supportrecord",
    "support/loan",
]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def assert_one_record_for_one_query(client, url, settings, household, door, action) -> None:
    settings.ACCESS_LOG_ENABLED = False
    client.get(url)  # warm-up: caches of content types, sessions
    without = queries(client, url)
    assert not AccessRecord.objects.exists()
    settings.ACCESS_LOG_ENABLED = True
    with_log = queries(client, url)
    record = AccessRecord.objects.get()
    assert with_log == without + 1, url  # the INSERT, and nothing else
    assert (record.door, record.action, record.household_ids) == (door, action, [household.pk]), url
    assert record.commune_ids == [household.commune_id]
    assert record.path == url.partition("?")[0]


@pytest.mark.parametrize("prefix", API_DOORS)
def test_an_api_list_and_detail_record_the_households_shown(prefix, everything, officer_a, settings):
    client = APIClient()
    client.force_authenticate(officer_a)
    assert_one_record_for_one_query(client, f"/api/v1/{prefix}/", settings, everything, "api", "list")
    assert AccessRecord.objects.get().result_count >= 1
    pk = one_of(HOUSEHOLD_VIEWSETS[prefix], everything)
    before = AccessRecord.objects.count()
    response = client.get(f"/api/v1/{prefix}/{pk}/")
    assert response.status_code == 200
    detail = AccessRecord.objects.order_by("-id")[0]
    assert AccessRecord.objects.count() == before + 1
    assert (detail.action, detail.household_ids, detail.result_count) == ("view", [everything.pk], 1)


@pytest.mark.parametrize("door", ADMIN_DOORS)
def test_an_admin_list_and_page_record_the_households_shown(door, everything, officer_a, settings):
    client = Client()
    client.force_login(officer_a)
    assert_one_record_for_one_query(client, f"/admin/{door}/", settings, everything, "admin", "list")
    model = next(m for m in admin.site._registry if f"{m._meta.app_label}/{m._meta.model_name}" == door)
    pk = one_of(model, everything)
    response = client.get(f"/admin/{door}/{pk}/change/")
    assert response.status_code == 200
    page = AccessRecord.objects.order_by("-id")[0]
    assert (page.door, page.action, page.household_ids, page.result_count) == ("admin", "view", [everything.pk], 1)
    assert AccessRecord.objects.count() == 2


def test_the_admin_pages_of_moves_follow_ups_and_repayments_record_their_household(everything, officer_a, chair_a):
    from programs.review.admin.forms import available_moves

    case = ReviewCase.objects.get(household=everything)

    def moves(user) -> list[str]:  # the survey move leads to the survey's own form when none can be attached
        return [move.value for move in available_moves(user, case) if move.value != "survey"]

    who = next(user for user in (officer_a, chair_a) if moves(user))
    record = SupportRecord.objects.get(household=everything, intervention_type__code="livestock_p3")
    pages = [
        (who, f"/admin/programs/reviewcase/{case.pk}/move/{moves(who)[0]}/", "hồ sơ"),
        (officer_a, f"/admin/support/supportrecord/{record.pk}/move/cancel/", "hỗ trợ"),
        (officer_a, f"/admin/support/supportrecord/{record.pk}/follow-up/{record.follow_ups.first().pk}/", "hỗ trợ"),
        (officer_a, f"/admin/support/loan/{Loan.objects.get(record__household=everything).pk}/repay/", "vay"),
    ]
    for user, url, resource in pages:
        client = Client()
        client.force_login(user)
        before = AccessRecord.objects.count()
        response = client.get(url)
        assert response.status_code == 200, url
        assert AccessRecord.objects.count() == before + 1, url
        page = AccessRecord.objects.order_by("-id")[0]
        assert (page.door, page.action, page.household_ids, page.path) == ("admin", "view", [everything.pk], url)
        assert resource in page.resource, (url, page.resource)
