"""Escalate overdue steps to the level above; the twin of `programs.tasks.escalate_overdue`."""

import datetime
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from config.formats import number, seconds
from programs.review.services import calendar as reminders


class Command(BaseCommand):
    help = "Báo cấp trên (huyện nếu có, nếu không là tỉnh) các bước quá hạn, mỗi bước một lần."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None, help="Ngày tính (yyyy-mm-dd).")

    def handle(self, *args, today, **options):
        started = time.monotonic()
        escalated = reminders.escalate_overdue(today=today or timezone.localdate())
        emailed = reminders.deliver_notifications()
        elapsed = seconds(time.monotonic() - started)
        self.stdout.write(f"Báo quá hạn: {number(escalated)} thông báo, {number(emailed)} thư ({elapsed}).")
