"""The annual review in the admin (domain A6): the cases' pages and their move buttons, the campaigns, a household's
request, the notifications and the to-do list on the home page. Dates are in October-November 2026; through the
admin the services check them against the real today."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import AuditEntry, Household
from households.rules import fold_text
from programs.models import Assessment, Notification, ReviewCampaign, ReviewCase, ReviewComplaint, StatusChange
from programs.review import services as workflow
from programs.review.services import calendar as reminders
from programs.templatetags.review_tags import todo_for
from tests.programs.review_helpers import (
    DEPRIVED_THREE,
    TODAY,
    case_of,
    insure,
    make_poor,
    open_review,
    survey,
    walk_to_posted,
)

pytestmark = pytest.mark.django_db

CASES = "/admin/programs/reviewcase/"
CAMPAIGNS = "/admin/programs/reviewcampaign/"
NOTIFICATIONS = "/admin/programs/notification/"
REQUEST = CASES + "request/"
POOR_INCOME = 500_000


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(case) -> str:
    return f"{CASES}{case.pk}/change/"


def move_of(case, move: str) -> str:
    return f"{CASES}{case.pk}/move/{move}/"


def moves_shown(client, case) -> set[str]:
    page = client.get(page_of(case))
    assert page.status_code == 200
    return set(re.findall(r'data-move="(\w+)"', page.text))


def fresh(case) -> ReviewCase:
    return ReviewCase.objects.select_related("campaign").get(pk=case.pk)


@pytest.fixture
def ready_a(household_a):
    insure(household_a)
    return household_a


@pytest.fixture
def poor_a(ready_a, admin_user):
    return make_poor(ready_a, admin_user)


@pytest.fixture
def posted_case(poor_a, officer_a):
    """A listed household's case of the 2026 periodic review, posted from 26 to 28 October."""
    open_review(poor_a.commune)
    return walk_to_posted(officer_a, poor_a, income=POOR_INCOME, answers=DEPRIVED_THREE)


def test_a_periodic_review_run_by_hand_through_the_admin(ready_a, officer_a, chair_a):
    opened = reminders.open_periodic_review(year=2026, area_codes=[ready_a.commune.code])
    assert opened.campaigns == 1
    campaign = ReviewCampaign.objects.get(area=ready_a.commune, year=2026, kind="periodic")
    # Surveyed before the household asked: nothing to move on yet, the survey waits to be attached.
    survey(officer_a, ready_a, income=POOR_INCOME, answers=DEPRIVED_THREE)
    assert not ReviewCase.objects.exists()
    officer, chair = client_for(officer_a), client_for(chair_a)

    assert f"{REQUEST}?household={ready_a.pk}" in officer.get(f"/admin/households/household/{ready_a.pk}/change/").text
    assert officer.get(REQUEST, {"household": ready_a.pk}).status_code == 200
    response = officer.post(
        REQUEST,
        {
            "household": ready_a.pk,
            "request_kind": "add",
            "channel": "in_person",
            "filed_on": "01/10/2026",
            "note": "Chồng mất việc từ tháng 8.",
        },
    )
    case = case_of(ready_a)
    assert response.status_code == 302 and response.url == page_of(case)
    assert (case.campaign_id, case.origin, case.state) == (campaign.pk, "requested", "listed")

    assessment = Assessment.objects.get(household=ready_a, is_current=True)
    page = officer.get(page_of(case))
    assert "Gắn phiếu khảo sát ngày 01/10/2026" in page.text
    assert officer.get(move_of(case, "survey")).status_code == 200
    officer.post(move_of(case, "survey"), {"version": case.version, "assessment": assessment.pk})
    case = fresh(case)
    assert (case.state, case.assessment_id, case.proposed_category) == ("classified", assessment.pk, "poor")

    meeting = {"version": case.version, "meeting_date": "20/10/2026", "attendees": "40", "agreeing": "30"}
    assert officer.post(move_of(case, "meeting"), meeting).status_code == 302
    case = fresh(case)
    assert (case.state, case.meeting_attendees, case.meeting_agreeing) == ("agreed", 40, 30)

    officer.post(move_of(case, "post"), {"version": case.version, "posting_start": "26/10/2026", "posting_end": ""})
    case = fresh(case)
    assert (case.state, case.posting_end) == ("posted", datetime.date(2026, 10, 28))

    complaint = {
        "version": case.version,
        "received_on": "27/10/2026",
        "complainant": "Nguyễn Văn Hàng",
        "content": "Hộ mới mua xe máy.",
    }
    officer.post(move_of(case, "complain"), complaint)
    case = fresh(case)
    assert case.state == "recheck"
    assert "Hộ mới mua xe máy." in officer.get(page_of(case)).text  # the complaints inline
    assert "recognise" not in moves_shown(chair, case)  # held while the complaint is open
    filed = ReviewComplaint.objects.get(case=case)
    resolution = {
        "version": case.version,
        "complaint_id": filed.pk,
        "outcome": "dismissed",
        "resolution": "Xe đi mượn của người thân.",
        "resolved_on": "30/10/2026",
    }
    officer.post(move_of(case, "resolve_complaint"), resolution)
    case = fresh(case)
    assert case.state == "posted"
    assert ReviewComplaint.objects.get(pk=filed.pk).outcome == "dismissed"

    assert "recognise" not in moves_shown(officer, case)
    assert "recognise" in moves_shown(chair, case)
    decision = {"version": case.version, "decision_number": "45/QĐ-UBND", "decision_date": "02/11/2026"}
    assert officer.post(move_of(case, "recognise"), decision).status_code == 403
    response = chair.post(move_of(case, "recognise"), decision, follow=True)
    assert response.redirect_chain[-1][0] == page_of(case)
    assert "Hộ nghèo" in response.text and "0001/2026/GCN-HN.HCN" in response.text  # the success message
    case = fresh(case)
    household = Household.objects.get(pk=ready_a.pk)
    assert (case.state, case.recognised_status, case.certificate_number) == (
        "recognised",
        "poor",
        "0001/2026/GCN-HN.HCN",
    )
    assert (household.status, household.status_since) == ("poor", datetime.date(2026, 11, 2))
    change = StatusChange.objects.get(household=household)
    assert (change.event, change.decision_number, change.recorded_by) == ("newly_poor", "45/QĐ-UBND", chair_a)
    assert case.status_change_id == change.pk
    page = chair.get(page_of(case)).text
    assert "0001/2026/GCN-HN.HCN" in page and "họp thôn thống nhất" in page  # the decision and the history
    assert reverse("programs:certificate", args=[case.pk]) in page

    campaign_page = officer.get(f"{CAMPAIGNS}{campaign.pk}/change/")
    assert f"{CAMPAIGNS}{campaign.pk}/report/" in campaign_page.text
    response = officer.post(f"{CAMPAIGNS}{campaign.pk}/report/", {"reported_on": "10/11/2026"})
    assert response.status_code == 302
    case = fresh(case)
    assert (case.state, case.reported_on) == ("reported", datetime.date(2026, 11, 10))
    assert ReviewCampaign.objects.get(pk=campaign.pk).reported_on == datetime.date(2026, 11, 10)
    actions = set(AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"programs.review_case.requested", "programs.review_case.recognised"} <= actions


def test_the_buttons_are_the_moves_each_role_may_make_now(posted_case, officer_a, chair_a, province_staff):
    assert moves_shown(client_for(officer_a), posted_case) == {"survey", "complain"}
    assert moves_shown(client_for(province_staff), posted_case) == {"survey", "complain"}
    assert moves_shown(client_for(chair_a), posted_case) == {"recognise"}  # no reject: the household did not ask
    assert client_for(chair_a).get(move_of(posted_case, "meeting")).status_code == 403


def test_the_chair_may_refuse_a_households_own_request(ready_a, officer_a, chair_a):
    open_review(ready_a.commune)
    case = workflow.file_review_request(
        actor=officer_a,
        household_id=ready_a.pk,
        request_kind="add",
        channel="online",
        filed_on=datetime.date(2026, 10, 1),
    )
    assert moves_shown(client_for(chair_a), case) == {"reject"}
    response = client_for(chair_a).post(
        move_of(case, "reject"), {"version": case.version, "reason": "Thu nhập trên chuẩn.", "decided_on": "20/10/2026"}
    )
    assert response.status_code == 302
    assert fresh(case).state == "rejected"
    assert moves_shown(client_for(officer_a), case) == set()


def test_the_district_opinion_is_a_button_only_for_the_level_above_in_older_campaigns(
    household_a, admin_user, officer_a, chair_a, district_staff
):
    make_poor(household_a, admin_user, day=datetime.date(2023, 12, 20))
    open_review(household_a.commune, year=2024)
    case = case_of(household_a)
    assert case.campaign.has_district_step
    ReviewCase.objects.filter(pk=case.pk).update(state="posted")  # the UI depends on the state only
    assert "consult_district" in moves_shown(client_for(district_staff), case)
    assert "consult_district" not in moves_shown(client_for(officer_a), case)
    assert "recognise" not in moves_shown(client_for(chair_a), case)  # the district step comes first


def test_a_survey_not_recorded_yet_is_a_link_to_the_survey_form(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    case = case_of(poor_a)
    page = client_for(officer_a).get(page_of(case))
    form_url = f"/admin/programs/assessment/add/?household={poor_a.pk}&amp;review_year=2026&amp;review_kind=periodic"
    assert form_url in page.text
    redirect = client_for(officer_a).get(move_of(case, "survey"))
    assert redirect.status_code == 302 and redirect.url.startswith("/admin/programs/assessment/add/?household=")
    assert "Ghi phiếu khảo sát" not in client_for(chair_a).get(page_of(case)).text


def test_cases_of_other_communes_are_404(posted_case, officer_b, household_b):
    client = client_for(officer_b)
    assert client.get(page_of(posted_case)).status_code == 404
    assert client.get(move_of(posted_case, "complain")).status_code == 404
    data = {"version": posted_case.version, "received_on": "27/10/2026", "complainant": "X", "content": "Y"}
    assert client.post(move_of(posted_case, "complain"), data).status_code == 404
    assert client.get(f"{CAMPAIGNS}{posted_case.campaign_id}/change/").status_code == 404
    assert (
        client.post(f"{CAMPAIGNS}{posted_case.campaign_id}/report/", {"reported_on": "10/11/2026"}).status_code == 404
    )
    assert posted_case.household.code not in client.get(CASES).text
    assert fresh(posted_case).state == "posted"
    form = {"household": posted_case.household_id, "request_kind": "add", "channel": "post", "filed_on": "01/10/2026"}
    response = client.post(REQUEST, form)
    assert response.status_code == 200 and "household" in response.context["form"].errors
    assert ReviewCase.objects.count() == 1
    search = {"app_label": "programs", "model_name": "reviewcase", "field_name": "household"}
    assert household_b.code in str(client.get("/admin/autocomplete/", {**search, "term": "tran van"}).json())
    assert client.get("/admin/autocomplete/", {**search, "term": "nguyen van"}).json()["results"] == []


def test_a_bad_meeting_is_a_field_error_and_nothing_is_written(poor_a, officer_a):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=POOR_INCOME, answers=DEPRIVED_THREE)
    case = case_of(poor_a)
    audit_before = AuditEntry.objects.count()
    data = {"version": case.version, "meeting_date": "20/10/2026", "attendees": "10", "agreeing": "12"}
    response = client_for(officer_a).post(move_of(case, "meeting"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["agreeing"] == ["Số người đồng ý phải từ 0 đến số người dự họp (10)."]
    assert 'class="form-row errors field-agreeing"' in response.text
    after = fresh(case)
    assert (after.state, after.version, after.meeting_attendees) == ("classified", case.version, None)
    assert AuditEntry.objects.count() == audit_before


def test_a_recognition_without_decision_number_is_a_field_error(posted_case, chair_a):
    data = {"version": posted_case.version, "decision_number": " ", "decision_date": "02/11/2026"}
    response = client_for(chair_a).post(move_of(posted_case, "recognise"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["decision_number"] == ["Phải có số quyết định công nhận."]
    data = {"version": posted_case.version, "decision_number": "45/QĐ-UBND", "decision_date": "28/10/2026"}
    response = client_for(chair_a).post(move_of(posted_case, "recognise"), data)
    assert "Chưa hết thời gian niêm yết" in response.context["form"].errors["decision_date"][0]
    case = fresh(posted_case)
    assert (case.state, case.certificate_number, case.version) == ("posted", "", posted_case.version)
    assert not StatusChange.objects.filter(decision_number="45/QĐ-UBND").exists()


def test_a_stale_version_is_a_form_error(poor_a, officer_a, province_staff):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=POOR_INCOME, answers=DEPRIVED_THREE)
    case = case_of(poor_a)
    officer = client_for(officer_a)
    form_page = officer.get(move_of(case, "meeting"))
    assert f'value="{timezone.localdate():%d/%m/%Y}"' in form_page.text  # dates as offices write them
    seen = form_page.context["form"].initial["version"]
    meeting = {"meeting_date": "20/10/2026", "attendees": "40", "agreeing": "30"}
    assert client_for(province_staff).post(move_of(case, "meeting"), {"version": seen, **meeting}).status_code == 302
    response = officer.post(move_of(case, "meeting"), {"version": seen, **meeting, "agreeing": "10"})
    assert response.status_code == 200
    assert "Hồ sơ đã được người khác cập nhật" in response.context["form"].non_field_errors()[0]
    assert fresh(case).meeting_agreeing == 30


def test_the_case_list_is_scoped_searchable_without_diacritics_and_filtered(
    posted_case, officer_a, make_household, commune_a, admin_user
):
    other = make_poor(make_household(commune_a, "Lò Văn Pao"), admin_user)
    workflow.file_review_request(
        actor=officer_a, household_id=other.pk, request_kind="exit", channel="post", filed_on=datetime.date(2026, 10, 2)
    )
    client = client_for(officer_a)
    listed = client.get(CASES, {"q": "nguyen van duc"})
    assert posted_case.household.code in listed.text and other.code not in listed.text
    assert other.code in client.get(CASES, {"q": "lo van pao"}).text
    assert other.code in client.get(CASES, {"origin__exact": "requested"}).text
    overdue = client.get(CASES, {"overdue": "yes"}).text  # the posted case waits for recognition by 14/12
    assert other.code in overdue and posted_case.household.code not in overdue
    page = client.get(CASES, {"campaign": posted_case.campaign_id, "due_step": "recognition"})
    assert posted_case.household.code in page.text and other.code not in page.text
    assert "Thôn Nà Phát" in page.text  # the village filter offers the officer's own villages
    assert 'title="Quá hạn">15/10/2026' in client.get(CASES).text  # the survey of the request is overdue
    assert other.code in client.get(CASES, {"household__id__exact": other.pk}).text  # from the household page
    assert client.get(CASES, {"village": "x"}).status_code == 200


def test_the_campaign_page_shows_the_calendar_and_links(posted_case, officer_a):
    campaign = posted_case.campaign
    client = client_for(officer_a)
    listed = client.get(CAMPAIGNS, {"q": fold_text(campaign.area.name)})
    assert listed.status_code == 200 and campaign.area.name in listed.text
    assert "Đang niêm yết: 1" in listed.text
    page = client.get(f"{CAMPAIGNS}{campaign.pk}/change/")
    assert "Họp thôn thống nhất kết quả" in page.text and "31/10/2026" in page.text
    assert f"{CASES}?campaign={campaign.pk}" in page.text
    assert f"{CAMPAIGNS}{campaign.pk}/calendar/" not in page.text
    assert client.get(f"{CAMPAIGNS}{campaign.pk}/calendar/").status_code == 403
    for name in ("programs:posting-list", "programs:decision-list"):
        assert reverse(name, args=[campaign.pk]) in page.text
    assert client.get(f"{CAMPAIGNS}{campaign.pk}/report/").status_code == 200
    response = client.post(f"{CAMPAIGNS}{campaign.pk}/report/", {"reported_on": "10/11/2026"})
    assert "chưa có hồ sơ nào đã công nhận" in response.context["form"].non_field_errors()[0]


def test_province_staff_change_the_calendar_and_open_cases_follow(posted_case, province_staff):
    campaign = posted_case.campaign
    client = client_for(province_staff)
    assert f"{CAMPAIGNS}{campaign.pk}/calendar/" in client.get(f"{CAMPAIGNS}{campaign.pk}/change/").text
    form = client.get(f"{CAMPAIGNS}{campaign.pk}/calendar/").context["form"]
    data = {name: value.strftime("%d/%m/%Y") for name, value in form.initial.items() if name.startswith("step_")}
    data.update({"step_recognition": "05/12/2026", "posting_days": "5", "reason": "Kế hoạch của tỉnh"})
    assert client.post(f"{CAMPAIGNS}{campaign.pk}/calendar/", data).status_code == 302
    campaign = ReviewCampaign.objects.get(pk=campaign.pk)
    assert (campaign.steps["recognition"], campaign.steps["survey"], campaign.posting_days) == (
        "2026-12-05",
        "2026-10-15",
        5,
    )
    assert fresh(posted_case).due_on == datetime.date(2026, 12, 5)


def test_the_home_page_shows_the_users_own_to_do_list(poor_a, officer_a, officer_b, chair_a):
    open_review(poor_a.commune)
    case = case_of(poor_a)
    assert reminders.send_step_reminders(today=datetime.date(2026, 10, 10)) == 1  # survey due 15/10: officer_a
    Notification.objects.create(
        user=officer_b, kind="step_due", target="area:1", due_on=TODAY, subject="Việc riêng của xã B"
    )
    page = client_for(officer_a).get("/admin/")
    assert page.status_code == 200
    todo = unescape(page.text.split('id="review-todo"')[1].split('id="content-main"')[0])
    mine = Notification.objects.get(user=officer_a)
    assert mine.subject in todo and "Việc riêng của xã B" not in todo
    assert f"{CASES}?campaign={case.campaign_id}&due_step=survey" in todo
    assert f"{CASES}?campaign={case.campaign_id}&due_step=survey&overdue=yes" in todo  # 15/10 has passed
    assert "1 hồ sơ" in todo
    chair_page = unescape(client_for(chair_a).get("/admin/").text)
    assert mine.subject not in chair_page and "due_step=survey&overdue=yes" in chair_page
    listed = client_for(officer_a).get(f"{CASES}?campaign={case.campaign_id}&due_step=survey")
    assert poor_a.code in listed.text


def test_the_to_do_list_takes_a_fixed_number_of_queries(poor_a, officer_a, make_household, commune_a, admin_user):
    open_review(poor_a.commune)
    reminders.send_step_reminders(today=datetime.date(2026, 10, 10))
    today = datetime.date(2026, 11, 22)
    with CaptureQueriesContext(connection) as few:
        todo_for(officer_a, today)
    for number in range(12):
        Notification.objects.create(
            user=officer_a, kind="step_due", target=f"area:{number}", due_on=today, subject=f"Việc {number}"
        )
    for name in ("Lò Văn Pao", "Hoàng Văn Sinh", "Vàng Thị Mai"):
        make_poor(make_household(commune_a, name), admin_user)
    reminders.open_periodic_review(year=2026, area_codes=[commune_a.code])
    with CaptureQueriesContext(connection) as many:
        data = todo_for(officer_a, today)
    assert len(data["notifications"]) == 10 and data["more"] == 3
    assert data["steps"][0]["overdue"] == 4
    assert len(many) <= len(few) + 1  # + the count of unread notifications beyond the ten shown


def test_each_user_sees_and_marks_only_her_own_notifications(poor_a, officer_a, officer_b):
    open_review(poor_a.commune)
    reminders.send_step_reminders(today=datetime.date(2026, 10, 10))
    mine = Notification.objects.get(user=officer_a)
    theirs = Notification.objects.create(
        user=officer_b, kind="step_due", target="area:1", due_on=TODAY, subject="Việc riêng của xã B"
    )
    client = client_for(officer_a)
    listed = client.get(NOTIFICATIONS)
    assert listed.status_code == 200
    assert mine.subject in unescape(listed.text) and theirs.subject not in listed.text
    assert client.get(f"{NOTIFICATIONS}{theirs.pk}/change/").status_code == 404
    assert client.get(f"{NOTIFICATIONS}{mine.pk}/change/").status_code == 200
    response = client.post(NOTIFICATIONS, {"action": "mark_read", "_selected_action": [mine.pk, theirs.pk], "index": 0})
    assert response.status_code == 302
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    Notification.objects.create(
        user=officer_a, kind="preliminary_report", target="area:1", due_on=TODAY, subject="Báo cáo"
    )
    report_url = re.search(r'href="([^"]+)">Báo cáo</a>', client.get(NOTIFICATIONS).text)[1]
    opened = client.get(unescape(report_url))
    assert opened.status_code == 200 and poor_a.commune.name in opened.text  # the campaigns of 2026
    assert mine.subject not in unescape(client.get("/admin/").text.split('id="content-main"')[0])


def test_people_without_the_right_cannot_work_the_review(posted_case, chair_a, outsider):
    assert client_for(chair_a).get(REQUEST).status_code == 403
    assert client_for(chair_a).get(f"{CAMPAIGNS}{posted_case.campaign_id}/report/").status_code == 403
    assert client_for(outsider).get(page_of(posted_case)).status_code == 302  # not staff: to the login page
    assert client_for(outsider).get(move_of(posted_case, "complain")).status_code == 302
    assert client_for(chair_a).get(move_of(posted_case, "nonsense")).status_code == 404


def test_a_move_that_is_not_possible_now_leads_back_to_the_case(posted_case, officer_a):
    response = client_for(officer_a).get(move_of(posted_case, "meeting"), follow=True)
    assert response.redirect_chain[-1][0] == page_of(posted_case)
    assert "Không thể ghi kết quả họp thôn khi hồ sơ đang niêm yết" in response.text


def test_a_huge_meeting_count_is_a_field_error(poor_a, officer_a):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=POOR_INCOME, answers=DEPRIVED_THREE)
    case = case_of(poor_a)
    data = {"version": case.version, "meeting_date": "20/10/2026", "attendees": "1000000000000", "agreeing": "1"}
    response = client_for(officer_a).post(move_of(case, "meeting"), data)
    assert response.status_code == 200
    assert "attendees" in response.context["form"].errors
    assert fresh(case).state == "classified"


@pytest.mark.parametrize(
    "query", ["campaign=²", "year=²", "village=²", "campaign=²&village=1", "campaign=99999999999999999999999"]
)
def test_odd_digits_in_the_case_list_filters_are_ignored_not_a_500(posted_case, officer_a, query):
    assert client_for(officer_a).get(f"{CASES}?{query}").status_code in (200, 302)


def test_odd_digits_in_the_request_form_are_ignored(posted_case, officer_a):
    assert client_for(officer_a).get(f"{CASES}request/?household=²").status_code == 200


def test_a_village_list_is_met_posted_and_recognised_at_once(
    poor_a, make_household, commune_a, admin_user, officer_a, chair_a
):
    """The procedure works on lists: one meeting agrees on the village's list, the list is posted, the chair
    signs one decision for it (admin actions with an intermediate form)."""
    second = make_poor(make_household(commune_a, "Lò Văn Pao"), admin_user)
    insure(second)
    open_review(commune_a)
    for household in (poor_a, second):
        survey(officer_a, household, income=POOR_INCOME, answers=DEPRIVED_THREE)
    ids = [str(case_of(h).pk) for h in (poor_a, second)]
    officer = client_for(officer_a)

    page = officer.post(CASES, {"action": "bulk_meeting", "_selected_action": ids})
    assert page.status_code == 200 and "Ghi kết quả họp thôn cho các hồ sơ" in page.text
    done = officer.post(
        CASES,
        {
            "action": "bulk_meeting",
            "_selected_action": ids,
            "meeting_date": "20/10/2026",
            "attendees": "30",
            "agreeing": "20",
            "_submit": "1",
        },
    )
    assert done.status_code == 302
    assert [case_of(h).state for h in (poor_a, second)] == ["agreed", "agreed"]
    officer.post(CASES, {"action": "bulk_post", "_selected_action": ids, "posting_start": "26/10/2026", "_submit": "1"})
    assert [case_of(h).posting_end for h in (poor_a, second)] == [datetime.date(2026, 10, 28)] * 2

    # The officer has no recognition action; the chair signs one decision for both.
    assert "bulk_recognise" not in officer.get(CASES).text
    chair = client_for(chair_a)
    data = {"action": "bulk_recognise", "_selected_action": ids, "decision_date": "28/10/2026", "_submit": "1"}
    refused = chair.post(CASES, data | {"decision_number": "50/QĐ-UBND"})  # the posting has not ended
    assert refused.status_code == 200
    assert "Chưa hồ sơ nào được cập nhật: 2 hồ sơ không hợp lệ" in refused.text
    assert [case_of(h).state for h in (poor_a, second)] == ["posted", "posted"]
    chair.post(CASES, data | {"decision_number": "50/QĐ-UBND", "decision_date": "02/11/2026"})
    cases = [case_of(h) for h in (poor_a, second)]
    assert [c.state for c in cases] == ["recognised", "recognised"]
    assert {c.decision_number for c in cases} == {"50/QĐ-UBND"}
    assert sorted(c.certificate_number for c in cases) == ["0001/2026/GCN-HN.HCN", "0002/2026/GCN-HN.HCN"]


def test_a_bulk_move_is_all_or_nothing(poor_a, make_household, commune_a, admin_user, officer_a):
    second = make_poor(make_household(commune_a, "Lò Văn Pao"), admin_user)
    insure(second)
    open_review(commune_a)
    survey(officer_a, poor_a, income=POOR_INCOME, answers=DEPRIVED_THREE)  # the second is not surveyed yet
    ids = [str(case_of(h).pk) for h in (poor_a, second)]
    data = {"action": "bulk_meeting", "_selected_action": ids, "meeting_date": "20/10/2026", "_submit": "1"}
    response = client_for(officer_a).post(CASES, data | {"attendees": "30", "agreeing": "20"})
    assert response.status_code == 200
    assert case_of(second).reference in response.text and "chờ khảo sát" in response.text
    assert [case_of(h).state for h in (poor_a, second)] == ["classified", "listed"]
