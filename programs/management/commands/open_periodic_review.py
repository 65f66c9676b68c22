"""Open the periodic review of a year by hand: a campaign per commune and a case per listed household.

The twin of the Celery task `programs.tasks.open_periodic_review` (beat: 1 September). A second run creates nothing.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from config.formats import number, seconds
from programs.review.services import calendar as reminders


class Command(BaseCommand):
    help = "Mở kỳ rà soát định kỳ của một năm cho mọi xã (hoặc các xã trong --area)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="Năm rà soát (mặc định năm nay).")
        parser.add_argument("--area", action="append", default=[], help="Mã địa bàn (tỉnh, huyện cũ hoặc xã).")
        parser.add_argument(
            "--all-households",
            action="store_true",
            help="Rà soát toàn bộ hộ, không chỉ hộ nghèo, cận nghèo (khi kế hoạch của tỉnh yêu cầu).",
        )

    def handle(self, *args, year, area, all_households, **options):
        year = year or timezone.localdate().year
        if not 2016 <= year <= timezone.localdate().year + 1:
            raise CommandError(f"Năm {year} không hợp lệ.")
        started = time.monotonic()
        try:
            opened = reminders.open_periodic_review(year=year, area_codes=area, all_households=all_households)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Kỳ rà soát {year}: mở {number(opened.campaigns)} kỳ của xã, {number(opened.cases)} hồ sơ hộ "
            f"({seconds(elapsed)})."
        )
