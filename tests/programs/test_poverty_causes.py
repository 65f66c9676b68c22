"""The causes of poverty a surveyor ticks (nguyên nhân nghèo, domain Part B §4.2): the rule, the survey through the
API and the admin, reclassification and the demo review keep them."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from households.models import AuditEntry, Household
from programs import rules
from programs.models import Assessment
from tests.api_errors import field_errors
from tests.programs.test_admin_reviews import ADD, survey_form
from tests.programs.test_assessments import URL, payload
from tests.programs.test_reclassify import survey

CODES = list(rules.POVERTY_CAUSES)


@given(st.lists(st.sampled_from(CODES), max_size=20))
def test_causes_are_kept_once_each_in_the_report_s_order(codes):
    checked = rules.check_causes(codes)
    assert set(checked) == set(codes)
    assert list(checked) == sorted(set(codes), key=CODES.index)


@pytest.mark.parametrize("codes", [["bad_luck"], ["land", "Thiếu đất"], [""]])
def test_an_unknown_cause_is_refused_naming_it(codes):
    with pytest.raises(rules.RuleInputError) as refused:
        rules.check_causes(codes)
    assert refused.value.field == "causes" and refused.value.code == "unknown_cause"
    assert f"“{[c for c in codes if c not in CODES][0]}”" in refused.value.message


def test_every_cause_has_a_vietnamese_name():
    assert len(CODES) == 8 and all(name and name == name.lower() for name in rules.POVERTY_CAUSES.values())


@pytest.mark.django_db
def test_the_api_records_and_shows_the_causes_of_a_survey(api, officer_a, household_a):
    body = payload(household_a, causes=["illness", "land", "capital", "land"])
    response = api(officer_a).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["causes"] == ["land", "capital", "illness"]
    stored = Assessment.objects.get(pk=response.json()["id"])
    assert stored.causes == ["land", "capital", "illness"]
    entry = AuditEntry.objects.get(action="programs.assessment.recorded", object_id=str(stored.pk))
    assert entry.changes["causes"] == [None, ["land", "capital", "illness"]]
    listed = api(officer_a).get(URL, {"household": household_a.pk}).json()["results"]
    assert listed[0]["causes"] == ["land", "capital", "illness"]


@pytest.mark.django_db
@pytest.mark.parametrize("causes", [["bad_luck"], "land", [None], ["land"] * 9])
def test_bad_causes_are_a_400_naming_the_field_and_nothing_is_written(api, officer_a, household_a, causes):
    response = api(officer_a).post(URL, payload(household_a, causes=causes), format="json")
    assert response.status_code == 400 and "causes" in field_errors(response), response.content
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_the_admin_survey_form_ticks_causes_and_the_survey_page_names_them(officer_a, household_a):
    client = Client()
    client.force_login(officer_a)
    page = client.get(ADD, {"household": household_a.pk})
    assert "Nguyên nhân nghèo" in page.text and rules.POVERTY_CAUSES["know_how"] in page.text
    saved = client.post(ADD, survey_form(household_a, causes=["skills", "know_how"]))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assessment = Assessment.objects.get(household=household_a)
    assert assessment.causes == ["know_how", "skills"]
    shown = client.get(f"/admin/programs/assessment/{assessment.pk}/change/")
    assert "thiếu kiến thức về sản xuất, thiếu kỹ năng lao động, tay nghề" in shown.text
    refused = client.post(ADD, survey_form(household_a, causes=["bad_luck"]))
    assert refused.status_code == 200 and "bad_luck" in refused.text
    assert Assessment.objects.filter(household=household_a).count() == 1


@pytest.mark.django_db
def test_reclassification_keeps_the_causes_of_the_survey(admin_user, household_a):
    original = survey(admin_user, household_a, 1_000_000)
    Assessment.objects.filter(pk=original.pk).update(causes=["labour", "illness"])
    call_command("reclassify", "--standard", "VN-2027", stdout=io.StringIO())
    current = Assessment.objects.get(household=household_a, is_current=True)
    assert current.pk != original.pk and current.standard.code == "VN-2027"
    assert current.causes == ["labour", "illness"]


@pytest.mark.django_db
def test_the_demo_review_ticks_causes_for_poor_and_near_poor_households_only(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--households", "200", stdout=io.StringIO())
    call_command("seed_reviews", "--year", "2025", stdout=io.StringIO())
    surveys = list(Assessment.objects.filter(review_year=2025).values_list("category", "causes"))
    listed = [causes for category, causes in surveys if category in ("poor", "near_poor")]
    assert listed and all(causes and list(rules.check_causes(causes)) == causes for causes in listed)
    assert all(causes == [] for category, causes in surveys if category not in ("poor", "near_poor"))
    assert Household.objects.filter(province__code="15").count() == len(surveys)
    assert datetime.date(2025, 9, 15) <= Assessment.objects.earliest("survey_date").survey_date
