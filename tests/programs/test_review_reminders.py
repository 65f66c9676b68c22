"""Opening the periodic review, reminders, escalation and the reporting calendar: once and only once
(domain A6, Part B §6.1), by the services, the Celery tasks (eager here) and the management commands."""

import datetime
import io
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import DatabaseError

from households.models import AuditEntry, User
from programs import tasks
from programs.models import Notification, ReviewCampaign, ReviewCase
from programs.review import services as workflow
from programs.review.services import calendar as reminders
from tests.programs.review_helpers import TODAY, make_poor, survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communes(make_household, commune_a, commune_b, admin_user, officer_a, officer_b, chair_a):
    """Three poor households in A (under a legacy district) and two in B (directly under the province)."""
    for user, address in ((officer_a, "a@xa.vn"), (officer_b, "b@xa.vn"), (chair_a, "chutich@xa.vn")):
        User.objects.filter(pk=user.pk).update(email=address)
    households = {"a": [], "b": []}
    for key, commune, count in (("a", commune_a, 3), ("b", commune_b, 2)):
        for index in range(count):
            households[key].append(make_poor(make_household(commune, f"Hộ {key} {index}"), admin_user))
        make_household(commune, f"Hộ không nghèo {key}")  # not on a list: no case
    reminders.open_periodic_review(year=2026, area_codes=[commune_a.code, commune_b.code])
    return households


def notifications(user, kind="step_due"):
    return list(Notification.objects.filter(user=user, kind=kind).order_by("due_on", "target"))


def test_opening_the_whole_country_creates_a_campaign_per_commune_and_a_second_run_nothing(two_communes):
    opened = reminders.open_periodic_review(year=2026)
    communes = len(reminders.commune_ids())
    assert opened.campaigns == communes - 2  # A and B were opened by the fixture
    assert opened.cases == 0
    assert ReviewCampaign.objects.filter(year=2026).count() == communes
    assert AuditEntry.objects.filter(action="programs.review_campaign.opened").count() == communes
    again = reminders.open_periodic_review(year=2026)
    assert (again.campaigns, again.cases) == (0, 0)


def test_the_province_plan_can_review_every_resident_household(two_communes, commune_a):
    opened = reminders.open_periodic_review(year=2026, area_codes=[commune_a.code], all_households=True)
    assert opened.cases == 1  # the one household not on a list
    assert ReviewCase.objects.filter(campaign__area=commune_a, origin="all_residents").count() == 1


def test_officers_are_reminded_once_of_the_steps_due_this_week(two_communes, officer_a, officer_b, chair_a):
    done = reminders.send_review_reminders(today=datetime.date(2026, 10, 9), days=7)
    assert done.steps == 2  # survey due 15/10 for A's officer and B's officer
    [note_a] = notifications(officer_a)
    assert (note_a.count, note_a.due_on, note_a.step) == (3, datetime.date(2026, 10, 15), "survey")
    assert "3 hộ cần khảo sát" in note_a.subject
    assert notifications(officer_b)[0].count == 2
    assert notifications(chair_a) == []  # the survey is not the chair's step
    assert sorted(m.to[0] for m in mail.outbox) == ["a@xa.vn", "b@xa.vn"]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0

    again = reminders.send_review_reminders(today=datetime.date(2026, 10, 10), days=7)
    assert (again.steps, again.reports, again.emailed) == (0, 0, 0)
    assert len(mail.outbox) == 2


def test_nothing_is_due_outside_the_window(two_communes):
    assert reminders.send_review_reminders(today=datetime.date(2026, 10, 1), days=7).steps == 0
    assert Notification.objects.count() == 0


def test_overdue_steps_go_to_the_district_where_one_exists_else_the_province(
    two_communes, district_staff, province_staff, officer_a
):
    escalated = reminders.escalate_overdue(today=datetime.date(2026, 10, 16))
    assert escalated == 2
    [to_district] = notifications(district_staff, "step_overdue")
    [to_province] = notifications(province_staff, "step_overdue")
    assert to_district.area.code == two_communes["a"][0].commune.code
    assert to_district.count == 3
    assert to_province.count == 2
    assert "Quá hạn" in to_province.subject
    assert reminders.escalate_overdue(today=datetime.date(2026, 10, 20)) == 0  # once per overdue step

    # A's cases move on to the meeting step; when that is overdue too, it is escalated once more.
    for household in two_communes["a"]:
        survey(officer_a, household, income=5_000_000)
    assert reminders.escalate_overdue(today=datetime.date(2026, 11, 1)) == 1
    assert [n.step for n in notifications(district_staff, "step_overdue")] == ["survey", "meeting"]


def test_the_chair_is_reminded_of_recognition(two_communes, chair_a, officer_a, commune_a):
    ReviewCase.objects.filter(campaign__area=commune_a).update(
        due_step="recognition", due_on=datetime.date(2026, 12, 14)
    )
    reminders.send_review_reminders(today=datetime.date(2026, 12, 10), days=7)
    [note] = notifications(chair_a)
    assert note.step == "recognition"
    assert notifications(officer_a) == []


def test_the_reporting_calendar_reminds_the_province_and_the_communes(two_communes, province_staff, officer_a, chair_a):
    done = reminders.send_review_reminders(today=datetime.date(2026, 11, 10), days=7)
    [preliminary] = notifications(province_staff, "preliminary_report")
    assert preliminary.due_on == datetime.date(2026, 11, 15)
    assert done.reports == 1

    # A monthly review ran in commune A in March: its officer and chair are reminded of the report on 5 April.
    household = two_communes["a"][0]
    workflow.file_review_request(
        actor=officer_a,
        household_id=household.pk,
        request_kind="exit",
        channel="in_person",
        filed_on=datetime.date(2026, 3, 2),
        today=TODAY,
    )
    reminders.send_review_reminders(today=datetime.date(2026, 4, 1), days=7)
    assert [n.due_on for n in notifications(officer_a, "monthly_report")] == [datetime.date(2026, 4, 5)]
    assert len(notifications(chair_a, "monthly_report")) == 1
    assert Notification.objects.filter(kind="monthly_report").count() == 2  # B ran no monthly review


def test_a_crash_while_mailing_is_retried_without_duplicates(two_communes, monkeypatch):
    real = mail.get_connection
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise DatabaseError("simulated crash")
        return real(*args, **kwargs)

    monkeypatch.setattr(mail, "get_connection", flaky)
    with pytest.raises((DatabaseError, Retry)):  # the task's autoretry takes over
        tasks.send_review_reminders.apply(kwargs={"today": "2026-10-09"}, throw=True)
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2  # written, not yet mailed
    assert mail.outbox == []

    result = tasks.send_review_reminders.apply(kwargs={"today": "2026-10-09"}).get()
    assert result == {"steps": 0, "reports": 0, "emailed": 2}
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_a_crash_while_opening_cases_leaves_nothing_half_done(two_communes, commune_a, commune_b):
    ReviewCase.objects.all().delete()
    communes = sorted([commune_a.pk, commune_b.pk])
    # The second commune's insert fails (a broken deadline in its calendar): the first one's is rolled back too.
    last = ReviewCampaign.objects.get(area_id=communes[-1], year=2026)
    good_steps = dict(last.steps)
    ReviewCampaign.objects.filter(pk=last.pk).update(steps=good_steps | {"survey": "31/13/2026"})
    with pytest.raises((DatabaseError, Retry)):  # the task's autoretry takes over
        tasks.open_review_cases.apply(args=(2026, communes), throw=True)
    assert ReviewCase.objects.count() == 0

    ReviewCampaign.objects.filter(pk=last.pk).update(steps=good_steps)
    assert tasks.open_review_cases.apply(args=(2026, communes)).get() == 5
    assert tasks.open_review_cases.apply(args=(2026, communes)).get() == 0
    assert ReviewCase.objects.count() == 5


def test_the_opening_task_fans_out_in_chunks(make_household, commune_a, admin_user, monkeypatch):
    make_poor(make_household(commune_a, "Hộ nghèo"), admin_user)
    monkeypatch.setattr(reminders, "COMMUNE_CHUNK", 500)
    result = tasks.open_periodic_review.apply(kwargs={"year": 2026}).get()
    communes = len(reminders.commune_ids())
    assert result == {"campaigns": communes, "chunks": -(-communes // 500)}
    assert ReviewCase.objects.filter(campaign__year=2026).count() == 1  # eager: the chunks ran in-process


def test_the_management_commands_do_the_same(two_communes, commune_a, officer_a, district_staff, province_staff):
    out = io.StringIO()
    call_command("open_periodic_review", "--year", "2026", "--area", commune_a.code, stdout=out)
    assert "mở 0 kỳ của xã, 0 hồ sơ hộ" in out.getvalue()
    out = io.StringIO()
    call_command("send_review_reminders", "--today", "2026-10-09", "--days", "7", stdout=out)
    assert "2 nhắc bước" in out.getvalue()
    call_command("send_review_reminders", "--today", "2026-10-09", stdout=(out := io.StringIO()))
    assert "0 nhắc bước, 0 nhắc báo cáo, 0 thư" in out.getvalue()
    call_command("escalate_overdue", "--today", "2026-10-16", stdout=(out := io.StringIO()))
    assert "Báo quá hạn: 2 thông báo" in out.getvalue()
    call_command("escalate_overdue", "--today", "2026-10-16", stdout=(out := io.StringIO()))
    assert "Báo quá hạn: 0 thông báo" in out.getvalue()
    assert len(notifications(district_staff, "step_overdue")) == 1


def test_an_unknown_area_is_a_clear_command_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không tìm thấy địa bàn: 99999"):
        call_command("open_periodic_review", "--year", "2026", "--area", "99999", stdout=io.StringIO())


class RefusingBackend(locmem.EmailBackend):
    """The test outbox, with a mail server that refuses addresses containing "bad"."""

    def send_messages(self, messages):
        for message in messages:
            if "bad" in message.to[0]:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
        return super().send_messages(messages)


def test_a_refused_address_is_marked_and_does_not_hold_up_the_others(two_communes, officer_a, officer_b, settings):
    settings.EMAIL_BACKEND = "tests.programs.test_review_reminders.RefusingBackend"
    User.objects.filter(pk=officer_a.pk).update(email="bad@@xa")
    for _ in range(3):  # three daily runs
        reminders.send_review_reminders(today=datetime.date(2026, 10, 9), days=7)
    assert [m.to for m in mail.outbox] == [["b@xa.vn"]]
    [refused] = notifications(officer_a)
    assert refused.emailed_at is not None
    assert "SMTPRecipientsRefused" in refused.email_error
    assert notifications(officer_b)[0].email_error == ""


def test_a_household_that_moved_away_is_no_longer_counted(two_communes, officer_a, commune_b, admin_user):
    from households import services as household_services

    moved = two_communes["a"][0]
    moved.refresh_from_db()
    household_services.update_household(
        actor=admin_user, household_id=moved.pk, expected_version=moved.version, data={"commune": commune_b}
    )
    reminders.send_review_reminders(today=datetime.date(2026, 10, 9), days=7)
    assert notifications(officer_a)[0].count == 2
