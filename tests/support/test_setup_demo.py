"""The demo of `make run` (issue 13, points 1 and 11).

The Makefile's `run` target is read and its seeding commands are run as it runs them (via call_command, on
PostgreSQL), once for the module. Then: the demo shows the whole review as the README's "What to try first" names
it, household by household; the chair can recognise a case whose posting is over, today, and the officer report the
campaign; and a second run, after a user has registered, surveyed and decided by hand, changes and adds nothing.
"""

import datetime
import io
import re
import shlex
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from households import services as household_services
from households.models import Area, Ethnicity, Household, User
from programs.models import Assessment, ReviewCampaign, ReviewCase, StatusChange
from programs.review import rules as review_rules
from programs.review import services as workflow
from programs.standards import services as program_services
from support.management.commands import setup_demo
from support.models import DemoStep

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
S = review_rules.CaseState

# Commune A's households as the README's table names them: where each one's 2026 case stands.
READY = "posted, the posting over"
DEMO_CASES = {
    "02647-000088": S.LISTED,
    "02647-000089": S.LISTED,
    "02647-000079": S.CLASSIFIED,
    "02647-000083": S.CLASSIFIED,
    "02647-000057": S.AGREED,
    "02647-000040": S.POSTED,
    "02647-000032": S.RECHECK,
    "02647-000016": READY,
    "02647-000028": READY,
    "02647-000030": READY,
    "02647-000013": S.RECOGNISED,
    "02647-000004": S.REPORTED,
    "02647-000001": S.REJECTED,
}
CERTIFICATES = {"02647-000004": "0001/2026/GCN-HN.HCN", "02647-000013": "0002/2026/GCN-HN.HCN"}


def make_run_commands() -> list[tuple[str, list[str]]]:
    """The management commands of the Makefile's `run` target with its variables' defaults, less the database
    migration and the server: what `make run` seeds."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    defaults = dict(re.findall(r"^(\w+) \?= (.*)$", makefile, flags=re.M))
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1)
    found = []
    for line in recipe.splitlines():
        command = re.search(r"manage\.py (.*)$", line).group(1)
        command = re.sub(r"\$\((\w+)\)", lambda m: defaults[m.group(1)], command)
        name, *args = shlex.split(command)
        if name not in ("migrate", "runserver"):
            found.append((name, args))
    return found


def run_make_run() -> str:
    out = io.StringIO()
    for name, args in make_run_commands():
        call_command(name, *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo as a first `make run` seeds it, kept for the module's tests and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_make_run()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo, db):
    return demo


def case_of(code: str) -> ReviewCase:
    return ReviewCase.objects.select_related("campaign", "household").get(household__code=code)


def user(username: str) -> User:
    return User.objects.get(username=username)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def test_make_run_seeds_through_setup_demo_and_records_every_step(seeded):
    assert [name for name, _ in make_run_commands()] == ["setup_demo"]
    steps = setup_demo.demo_steps(households=600, province="15", review_year=2025, open_year=2026, seed=2026)
    assert list(DemoStep.objects.order_by("id").values_list("key", flat=True)) == [f"15: {s.name}" for s in steps]
    assert "Phường Lào Cai:" in seeded and "hết niêm yết, chờ công nhận: 02647-000016, 02647-000028, 02647-000030" in (
        seeded
    )


def test_commune_a_has_a_case_at_every_step_as_the_readme_names_them(seeded):
    today = timezone.localdate()
    for code, state in DEMO_CASES.items():
        assert code in README, f"the README names {code}"
        case = case_of(code)
        if state == READY:
            assert case.state == S.POSTED and case.posting_end < today, code
        else:
            assert case.state == state, code
        if state == S.POSTED:
            assert case.posting_end >= today  # still posted: recognition is refused today
        assert case.certificate_number == CERTIFICATES.get(code, ""), code
    campaign = case_of("02647-000088").campaign
    states = set(ReviewCase.objects.filter(campaign=campaign).values_list("state", flat=True))
    # every state of the machine a review opened after 1 July 2025 can hold (the district step is gone, A6)
    assert states | {S.REJECTED} == set(S) - {S.DISTRICT_CONSULTED}
    assert ReviewCase.objects.get(household__code="02647-000001").rejection_reason
    assert not ReviewCase.objects.filter(household__code="02647-000002").exists()  # steps 4-6: no case


def test_commune_b_has_a_reported_campaign(seeded):
    campaign = ReviewCampaign.objects.get(area=user("canbo_xa_b").area, year=2026)
    cases = ReviewCase.objects.filter(campaign=campaign)
    assert campaign.reported_on is not None and cases.exists()
    assert set(cases.values_list("state", flat=True)) == {S.REPORTED}
    assert all(number.endswith("/2026/GCN-HN.HCN") for number in cases.values_list("certificate_number", flat=True))


def test_the_chair_recognises_a_case_whose_posting_is_over_today_and_the_officer_reports_the_campaign(seeded):
    chair, today = signed_in("chutich_xa_a"), timezone.localdate()
    ready, posted = case_of("02647-000016"), case_of("02647-000040")
    move = "/admin/programs/reviewcase/{}/move/recognise/"
    page = chair.get(f"/admin/programs/reviewcase/{ready.pk}/change/")
    assert page.status_code == 200 and move.format(ready.pk) in page.text  # the button "Công nhận"
    form = {"version": ready.version, "decision_number": "12/QĐ-UBND", "decision_date": f"{today:%d/%m/%Y}"}
    done = chair.post(move.format(ready.pk), form, follow=True)
    assert "giấy chứng nhận số 0003/2026/GCN-HN.HCN" in done.text
    assert case_of("02647-000016").state == S.RECOGNISED

    refused = chair.post(move.format(posted.pk), form | {"version": posted.version})
    assert "Chưa hết thời gian niêm yết" in refused.text
    assert case_of("02647-000040").state == S.POSTED

    officer, campaign = signed_in("canbo_xa_a"), ready.campaign
    assert (
        f"/admin/programs/reviewcampaign/{campaign.pk}/report/"
        in officer.get(f"/admin/programs/reviewcampaign/{campaign.pk}/change/").text
    )  # the button "Báo cáo tỉnh"
    reported = officer.post(
        f"/admin/programs/reviewcampaign/{campaign.pk}/report/", {"reported_on": f"{today:%d/%m/%Y}"}, follow=True
    )
    assert "Đã báo cáo tỉnh 2 hồ sơ đã công nhận." in reported.text
    assert {case_of(code).state for code in ("02647-000013", "02647-000016")} == {S.REPORTED}


def test_the_api_walk_of_the_readme_runs_on_the_demo(seeded):
    """The README's survey, meeting and posting of 02647-000089 (with the ids of this database)."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user("canbo_huyen"))
    household = Household.objects.get(code="02647-000089")
    case = api.get("/api/v1/review-cases/", {"household": household.pk}).json()["results"][0]
    assert (case["state"], case["version"]) == ("listed", 1)
    survey = {
        "household": household.pk,
        "review_year": 2026,
        "survey_date": "2026-12-01",
        "income_per_capita": 2500000,
        "dwelling": {
            "has_house": True,
            "floor_area_m2": "48",
            "foundation_frame_durable": True,
            "walls_durable": True,
            "roof_durable": False,
        },
        "answers": {"employment": False, "water": False, "sanitation": True, "waste_treatment": True, "telecom": False},
        "causes": ["capital", "skills"],
    }
    assert '"income_per_capita": 2500000' in README and '"waste_treatment": true' in README
    recorded = api.post("/api/v1/assessments/", survey, format="json")
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["category"] == "poor" and recorded.json()["deprivation_count"] == 3
    met = api.post(
        f"/api/v1/review-cases/{case['id']}/meeting/",
        {"version": 2, "meeting_date": "2026-12-03", "attendees": 40, "agreeing": 31},
        format="json",
    )
    assert met.status_code == 200, met.content
    posted = api.post(
        f"/api/v1/review-cases/{case['id']}/post/", {"version": 3, "posting_start": "2026-12-04"}, format="json"
    )
    assert (posted.status_code, posted.json()["state"]) == (200, "posted"), posted.content


# --- a second run -------------------------------------------------------------------------------------------


def every_table() -> dict[str, tuple[int, int | None]]:
    """Each table's row count and highest id: a second run that adds or deletes a row changes one."""
    seen = {}
    for model in apps.get_models():
        rows = model._default_manager.order_by()
        last = rows.order_by("-pk").values_list("pk", flat=True).first()
        seen[model._meta.label] = (rows.count(), last if isinstance(last, int) else None)
    return seen


def as_written(*querysets) -> list[dict]:
    return [row for queryset in querysets for row in queryset.order_by("pk").values()]


def test_a_second_make_run_keeps_what_a_user_wrote_and_adds_nothing(seeded):
    officer, chair = user("canbo_xa_a"), user("chutich_xa_a")
    commune_a, kinh = officer.area, Ethnicity.objects.get(code="01")
    today = timezone.localdate()
    # Between the two runs, by hand: a household registered and recognised poor (no survey of 2025), a survey of a
    # demo household without a case, a demo case moved on, an official area renamed by the administrator.
    registered = household_services.create_household(
        actor=officer,
        data={"commune": commune_a},
        members=[
            {"full_name": "Lò Văn Tài", "date_of_birth": datetime.date(1984, 2, 1), "sex": "male",
             "ethnicity": kinh, "relation": "head"},
            {"full_name": "Lò Thị Mai", "date_of_birth": datetime.date(2012, 9, 9), "sex": "female",
             "ethnicity": kinh, "relation": "child"},
        ],
        reason="Hộ mới chuyển đến",
    )  # fmt: skip
    program_services.record_status_change(
        actor=chair, household_id=registered.pk, to_status="poor", effective_date=today, decision_number="99/QĐ-UBND"
    )
    surveyed = Household.objects.get(code="02647-000002")
    program_services.record_assessment(
        actor=officer,
        household_id=surveyed.pk,
        survey_date=today,
        review_year=2026,
        income_per_capita=5_000_000,
        dwelling={"has_house": True, "floor_area_m2": "80", "foundation_frame_durable": True, "walls_durable": True,
                  "roof_durable": True},
        answers={"employment": False, "water": False, "sanitation": False, "waste_treatment": False,
                 "telecom": False},
        confirmed={},
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in surveyed.members.all()},
    )  # fmt: skip
    classified = case_of("02647-000079")
    workflow.record_meeting(  # below half agreeing: back to survey
        actor=officer, case_id=classified.pk, expected_version=classified.version, meeting_date=today,
        attendees=30, agreeing=12,
    )  # fmt: skip
    Area.objects.filter(code="15").update(name="Tỉnh Lào Cai (tên sửa tay)")
    mine = [
        Household.objects.filter(pk__in=[registered.pk, surveyed.pk]),
        Assessment.objects.filter(household__in=[registered.pk, surveyed.pk]),
        StatusChange.objects.filter(household=registered.pk),
        ReviewCase.objects.filter(household__in=[registered.pk, surveyed.pk, classified.household_id]),
        Area.objects.filter(code="15"),
    ]
    before, written = every_table(), as_written(*mine)

    again = run_make_run()

    assert "bỏ qua 10 bước đã làm" in again
    assert every_table() == before
    assert as_written(*mine) == written
    assert not Assessment.objects.filter(household=registered.pk).exists()  # the demo surveyed nothing of hers
    assert list(StatusChange.objects.filter(household=registered.pk).values_list("decision_number", flat=True)) == [
        "99/QĐ-UBND"
    ]
    assert not ReviewCase.objects.filter(household=registered.pk).exists()
    assert case_of("02647-000079").state == S.LISTED  # the meeting she recorded stands


def test_the_review_cases_seeded_by_hand_a_second_time_write_nothing(seeded):
    before = every_table()
    out = io.StringIO()
    call_command("seed_review_cases", stdout=out)
    assert "đã có từ lần chạy trước: không ghi gì thêm" in out.getvalue()
    assert every_table() == before
    with pytest.raises(CommandError, match="chưa có kỳ rà soát định kỳ 2027: chạy open_periodic_review"):
        call_command("seed_review_cases", "--year", "2027", stdout=out)


def test_a_database_seeded_before_the_steps_were_recorded_is_not_seeded_again(seeded):
    DemoStep.objects.all().delete()  # as after an earlier `make run`: seeded, nothing recorded
    before = every_table()

    out = io.StringIO()
    call_command("setup_demo", stdout=out)

    assert "bỏ qua 10 bước đã làm" in out.getvalue()
    assert DemoStep.objects.count() == 10
    assert {label: rows for label, rows in every_table().items() if label != "support.DemoStep"} == {
        label: rows for label, rows in before.items() if label != "support.DemoStep"
    }


# --- whatever the day ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", range(7))
def test_the_plan_reaches_its_states_whatever_the_weekday(offset):
    """The dates count back from today in working days: on any day of the week, a ready case's posting is over, a
    posted case's is not, a complaint falls inside its posting, a decision after the posting and a report after
    the decision."""
    from programs.management.commands import seed_review_cases as plan

    today = datetime.date(2026, 12, 7) + datetime.timedelta(days=offset)
    for state, days in plan.PLAN_A:
        day = [plan.working_days_before(today, n) for n in days]
        assert day == sorted(day) and day[-1] <= today, (state, today)
        if len(day) > 2:
            posting_end = review_rules.add_working_days(day[2], 3)
            if state == plan.READY:
                assert posting_end < today
            if state == S.POSTED:
                assert posting_end >= today
            if state == S.RECHECK:
                assert day[2] <= plan.working_days_before(today, 1) <= posting_end
            if len(day) > 3:
                assert day[3] > posting_end
