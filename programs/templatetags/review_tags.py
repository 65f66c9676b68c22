"""The officer's to-do list on the admin home page ("Việc cần làm"), and where a notification leads.

A fixed number of queries whatever the number of notifications or cases: the unread notifications (one query
over the `programs_notification_unread` index, plus a count when there are more than shown) and, for commune
officers and chairs, the open cases of their commune due within a week or overdue, grouped by campaign and
step (one query over the `programs_reviewcase_due` index).
"""

import datetime
from urllib.parse import urlencode

from django import template
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from households.rules import Role
from programs import rules
from programs.models import Notification, NotificationKind, ReviewCase, ReviewKind
from programs.review import rules as review_rules

register = template.Library()

SHOWN = 10  # unread notifications on the home page
SOON_DAYS = 7  # "due soon": within a week, as the step reminders (reminders.send_step_reminders)
STEP_CHOICES = [(step.value, review_rules.STEP_LABELS[step]) for step in review_rules.Step]


def cases_url(**params: object) -> str:
    """The review cases' list filtered by the filters of `ReviewCaseAdmin` (campaign, due_step, overdue, …)."""
    query = urlencode({name: value for name, value in params.items() if value not in (None, "")})
    return reverse("admin:programs_reviewcase_changelist") + (f"?{query}" if query else "")


def step_label(step: str) -> str:
    try:
        return review_rules.STEP_LABELS[review_rules.Step(step)]
    except ValueError:
        return step or "—"


def cycle_label(year: int, kind: str, month: int) -> str:
    return f"định kỳ {year}" if kind == ReviewKind.PERIODIC else f"tháng {month}/{year}"


def notification_url(notification: Notification) -> str:
    """Where a notification leads: a step of a campaign opens the cases waiting for that step; a reporting
    deadline opens the campaigns of that year; anything else its own page."""
    if notification.campaign_id and notification.step:
        return cases_url(campaign=notification.campaign_id, due_step=notification.step)
    if notification.campaign_id:
        return reverse("admin:programs_reviewcampaign_change", args=[notification.campaign_id])
    campaigns = reverse("admin:programs_reviewcampaign_changelist")
    if notification.kind == NotificationKind.MONTHLY_REPORT:
        cycle = rules.add_months(notification.due_on, -1)
        return f"{campaigns}?{urlencode({'kind__exact': ReviewKind.MONTHLY, 'year__exact': cycle.year})}"
    if notification.kind in (NotificationKind.PRELIMINARY_REPORT, NotificationKind.OFFICIAL_REPORT):
        return f"{campaigns}?{urlencode({'kind__exact': ReviewKind.PERIODIC, 'year__exact': notification.due_on.year})}"
    return reverse("admin:programs_notification_change", args=[notification.pk])


def todo_for(user, today: datetime.date) -> dict:
    """The data of the to-do list of `user` on `today`."""
    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
    notifications = list(unread.order_by("due_on", "id")[:SHOWN])
    total = len(notifications) if len(notifications) < SHOWN else unread.count()
    items = [
        {"due_on": n.due_on, "subject": n.subject, "url": notification_url(n), "overdue": n.due_on < today}
        for n in notifications
    ]
    steps: list[dict] = []
    is_commune_worker = user.role in (Role.COMMUNE_OFFICER, Role.COMMUNE_CHAIR) and user.area_id is not None
    if is_commune_worker:
        soon = today + datetime.timedelta(days=SOON_DAYS)
        rows = (
            ReviewCase.objects.visible_to(user)
            .open()
            .filter(campaign__area_id=user.area_id, due_on__isnull=False, due_on__lte=soon)
            .values("campaign_id", "campaign__year", "campaign__kind", "campaign__month", "due_step")
            .annotate(
                overdue=Count("id", filter=Q(due_on__lt=today)),
                soon=Count("id", filter=Q(due_on__gte=today)),
                first_due=Min("due_on"),
            )
            .order_by("first_due", "campaign_id", "due_step")
        )
        for row in rows:
            common = {"campaign": row["campaign_id"], "due_step": row["due_step"]}
            steps.append(
                {
                    "cycle": cycle_label(row["campaign__year"], row["campaign__kind"], row["campaign__month"]),
                    "step": step_label(row["due_step"]),
                    "first_due": row["first_due"],
                    "overdue": row["overdue"],
                    "overdue_url": cases_url(**common, overdue="yes"),
                    "soon": row["soon"],
                    "soon_url": cases_url(**common, overdue="soon"),
                }
            )
    return {
        "notifications": items,
        "unread_total": total,
        "more": total - len(items),
        "all_url": reverse("admin:programs_notification_changelist"),
        "show_steps": is_commune_worker,
        "steps": steps,
        "soon_days": SOON_DAYS,
    }


@register.inclusion_tag("programs/review_todo.html", takes_context=True)
def review_todo(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    return todo_for(user, timezone.localdate())
