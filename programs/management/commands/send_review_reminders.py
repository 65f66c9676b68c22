"""Send the reminders of what is due within N days; the twin of `programs.tasks.send_review_reminders`."""

import datetime
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from config.formats import number, seconds
from programs.review.services import calendar as reminders


class Command(BaseCommand):
    help = "Nhắc việc các bước đến hạn trong N ngày và lịch báo cáo (15/11, 20/12, ngày 5 hằng tháng)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="Nhắc các hạn trong số ngày tới (mặc định 7).")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None, help="Ngày tính (yyyy-mm-dd).")

    def handle(self, *args, days, today, **options):
        started = time.monotonic()
        done = reminders.send_review_reminders(today=today or timezone.localdate(), days=days)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Nhắc việc: {number(done.steps)} nhắc bước, {number(done.reports)} nhắc báo cáo, "
            f"{number(done.emailed)} thư ({seconds(elapsed)})."
        )
