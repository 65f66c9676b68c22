"""Recompute the year's figures per commune (issue 6); the twin of `programs.tasks.refresh_figures`."""

import time

from django.core.management.base import BaseCommand, CommandError

from households.models import Area
from households.rules import Level
from programs import statistics


class Command(BaseCommand):
    help = "Tính lại số liệu thống kê theo xã và năm (hộ nghèo, cận nghèo, thiếu hụt, diễn biến) từ dữ liệu."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="Năm (lặp lại được); mặc định 2021 đến nay.")
        parser.add_argument("--area", help="Mã địa bàn (tỉnh, huyện hoặc xã); mặc định cả nước.")
        parser.add_argument("--stale", action="store_true", help="Chỉ các xã được đánh dấu cần tính lại.")

    def handle(self, *args, year, area, stale, **options):
        started = time.monotonic()
        if stale:
            rows = statistics.refresh_stale_figures()
        else:
            communes = None
            if area:
                found = Area.objects.filter(code=area.strip()).first()
                if found is None:
                    raise CommandError(f"Không có địa bàn mã “{area}”.")
                communes = list(
                    Area.objects.within(found).filter(level=Level.COMMUNE).values_list("id", flat=True)
                ) or [found.pk]
            if year and not all(2000 <= y <= 2100 for y in year):
                raise CommandError("Năm phải từ 2000 đến 2100.")
            rows = statistics.refresh_figures(years=year, communes=communes)
        self.stdout.write(f"Đã tính số liệu: {rows} dòng (xã × năm) trong {time.monotonic() - started:.1f} giây.")
