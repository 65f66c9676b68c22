"""Reminders of support follow-ups: one notification per commune officer, commune and due date, for the
follow-ups due within the coming days or overdue and not yet recorded; a second run creates nothing. The same by
the Celery task (run eagerly) and the management command."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from households import rules as household_rules
from households import services as household_services
from households.models import User
from programs.models import Notification, NotificationKind
from programs.standards import services as program_services
from support import services, tasks
from support.models import SupportFollowUp
from support.services import follow_ups as reminders
from tests.support.helpers import amount_for

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 20)
DAYS = 14  # due by 04/12/2026
KIND = NotificationKind.SUPPORT_FOLLOW_UP

# commune, type, delivery day → follow-ups (livestock: 6 and 12 months; training: 6 months)
DELIVERIES = [
    ("a", "livestock_p3", D(2026, 5, 10)),  # alive_6m due 10/11/2026: overdue
    ("a", "livestock_p3", D(2026, 5, 20)),  # alive_6m due 20/11/2026: today
    ("a", "training_p4", D(2026, 5, 20)),  # employed_6m due 20/11/2026: today, the same notification
    ("a", "livestock_p3", D(2026, 5, 15)),  # alive_6m due 15/11/2026: recorded below, not reminded
    ("a", "training_p4", D(2026, 6, 5)),  # employed_6m due 05/12/2026: beyond the 14 days
    ("b", "training_p4", D(2026, 5, 25)),  # employed_6m due 25/11/2026
]
DUE = {  # (commune, due date) → follow-ups to remind of, worked out from the list above
    ("a", D(2026, 11, 10)): 1,
    ("a", D(2026, 11, 20)): 2,
    ("b", D(2026, 11, 25)): 1,
}


def poor(chair, household):
    program_services.record_status_change(
        actor=chair, household_id=household.pk, to_status="poor", effective_date=D(2025, 1, 10), decision_number="7/QĐ"
    )


@pytest.fixture
def officers(commune_a, commune_b, officer_a, officer_b):
    second_a = household_services.create_officer(
        actor=None, username="canbo_a2", role=household_rules.Role.COMMUNE_OFFICER, area=commune_a
    )
    return {"a": [officer_a, second_a], "b": [officer_b]}


@pytest.fixture
def due(officers, household_a, household_b, chair_a, province_staff, commune_b):
    chair_b = household_services.create_officer(
        actor=None, username="chutich_b", role=household_rules.Role.COMMUNE_CHAIR, area=commune_b
    )
    poor(chair_a, household_a)
    poor(chair_b, household_b)
    people = {"a": (household_a, officers["a"][0], chair_a), "b": (household_b, officers["b"][0], province_staff)}
    for key, code, day in DELIVERIES:
        household, officer, approver = people[key]
        kept = services.record_support(
            actor=officer,
            household_id=household.pk,
            type_code=code,
            date=day,
            funding_source="central",
            amount=amount_for(code),
            today=TODAY,
        )
        services.approve_support(actor=approver, record_id=kept.pk, version=None, day=day)
        services.deliver_support(actor=officer, record_id=kept.pk, version=None, delivered_on=day, today=TODAY)
    done = SupportFollowUp.objects.get(due_on=D(2026, 11, 15))
    services.record_follow_up(
        actor=officers["a"][0], follow_up_id=done.pk, done_on=D(2026, 11, 16), result="achieved", today=TODAY
    )
    return {"a": household_a.commune, "b": household_b.commune}


def expected_rows(officers, communes):
    return sorted(
        (user.pk, communes[key].pk, day, count) for (key, day), count in DUE.items() for user in officers[key]
    )


def rows():
    return sorted(Notification.objects.filter(kind=KIND).values_list("user_id", "area_id", "due_on", "count"))


def test_each_officer_is_reminded_once_per_commune_and_due_date(due, officers, chair_a):
    created = reminders.send_follow_up_reminders(today=TODAY, days=DAYS)
    assert created == sum(len(officers[key]) for key, _ in DUE)
    assert rows() == expected_rows(officers, due)
    assert not Notification.objects.filter(user=chair_a).exists()  # the chair approves; officers follow up


def test_an_overdue_follow_up_says_so(due, officers):
    reminders.send_follow_up_reminders(today=TODAY, days=DAYS)
    late = Notification.objects.get(user=officers["a"][0], due_on=D(2026, 11, 10))
    assert "(quá hạn)" in late.subject and due["a"].name in late.subject
    on_time = Notification.objects.get(user=officers["a"][0], due_on=D(2026, 11, 20))
    assert "quá hạn" not in on_time.subject and on_time.subject.startswith("2 hỗ trợ")


def test_a_second_run_creates_nothing(due, officers):
    first = reminders.send_follow_up_reminders(today=TODAY, days=DAYS)
    assert first > 0
    assert reminders.send_follow_up_reminders(today=TODAY, days=DAYS) == 0
    assert len(rows()) == first


def test_recorded_follow_ups_are_not_reminded(due, officers):
    reminders.send_follow_up_reminders(today=TODAY, days=DAYS)
    assert not Notification.objects.filter(kind=KIND, due_on=D(2026, 11, 15)).exists()
    for follow_up in SupportFollowUp.objects.filter(due_on__lte=TODAY + datetime.timedelta(days=DAYS)):
        if follow_up.done_on is None:
            services.record_follow_up(
                actor=officers["a" if follow_up.record.household.commune_id == due["a"].pk else "b"][0],
                follow_up_id=follow_up.pk,
                done_on=TODAY,
                result="achieved",
                today=TODAY,
            )
    Notification.objects.filter(kind=KIND).delete()
    assert reminders.send_follow_up_reminders(today=TODAY, days=DAYS) == 0


def test_follow_ups_of_a_cancelled_support_are_not_reminded(due, officers):
    record = SupportFollowUp.objects.get(due_on=D(2026, 11, 10)).record
    services.cancel_support(actor=officers["a"][0], record_id=record.pk, version=None, reason="Bò chết, hủy hỗ trợ.")
    reminders.send_follow_up_reminders(today=TODAY, days=DAYS)
    assert not Notification.objects.filter(kind=KIND, due_on=D(2026, 11, 10)).exists()


def test_a_later_day_reminds_of_what_has_come_due_since(due, officers):
    reminders.send_follow_up_reminders(today=TODAY, days=DAYS)
    created = reminders.send_follow_up_reminders(today=D(2026, 11, 22), days=DAYS)  # 05/12 now within 14 days
    assert created == len(officers["a"])
    assert Notification.objects.filter(kind=KIND, due_on=D(2026, 12, 5)).count() == len(officers["a"])


def test_the_celery_task_returns_its_counts_and_mails_officers_with_an_address(due, officers):
    User.objects.filter(pk=officers["a"][0].pk).update(email="canbo_a@xa.vn")
    result = tasks.send_follow_up_reminders.apply(kwargs={"days": DAYS, "today": TODAY.isoformat()}).get()
    mailed = sum(1 for (key, _) in DUE if key == "a")  # officer A's notifications only
    assert result == {"reminded": sum(len(officers[key]) for key, _ in DUE), "emailed": mailed}
    assert len(mail.outbox) == mailed and all(m.to == ["canbo_a@xa.vn"] for m in mail.outbox)
    again = tasks.send_follow_up_reminders.apply(kwargs={"days": DAYS, "today": TODAY.isoformat()}).get()
    assert again == {"reminded": 0, "emailed": 0}


def test_the_management_command_does_the_same(due, officers):
    out = io.StringIO()
    call_command("send_follow_up_reminders", "--today", TODAY.isoformat(), "--days", str(DAYS), stdout=out)
    assert rows() == expected_rows(officers, due)
    assert f"{len(rows())} thông báo" in out.getvalue()
