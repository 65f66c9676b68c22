"""Remind commune officers of support follow-ups due; the twin of `support.tasks.send_follow_up_reminders`."""

import datetime
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from config.formats import number, seconds
from programs.review.services.calendar import deliver_notifications
from support import services


class Command(BaseCommand):
    help = "Nhắc cán bộ xã các lần theo dõi kết quả hỗ trợ sắp đến hạn hoặc quá hạn."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=14, help="Số ngày tới (mặc định 14).")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None, help="Ngày tính (yyyy-mm-dd).")

    def handle(self, *args, days, today, **options):
        started = time.monotonic()
        created = services.send_follow_up_reminders(today=today or timezone.localdate(), days=days)
        emailed = deliver_notifications()
        self.stdout.write(
            f"Nhắc theo dõi hỗ trợ: {number(created)} thông báo, {number(emailed)} thư "
            f"({seconds(time.monotonic() - started)})."
        )
