"""Recompute the year's figures per commune (domain Part B §6.2, §4.3); the twin of `programs.tasks.refresh_figures`."""

import time

from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from config.formats import number, seconds
from households.models import Area
from households.rules import Level
from programs.reporting import services as statistics


class Command(BaseCommand):
    help = "Tính lại số liệu thống kê theo xã và năm (hộ nghèo, cận nghèo, thiếu hụt, diễn biến) từ dữ liệu."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            help=f"Năm (lặp lại được), từ {statistics.FIRST_YEAR} đến năm nay; mặc định tất cả các năm đó.",
        )
        parser.add_argument("--area", help="Mã địa bàn (tỉnh, huyện hoặc xã); mặc định cả nước.")
        parser.add_argument("--stale", action="store_true", help="Chỉ các xã được đánh dấu cần tính lại.")

    def handle(self, *args, year, area, stale, **options):
        started = time.monotonic()
        if stale:
            if year or area:  # the marks say which communes and years: an --area or --year would be ignored
                raise CommandError(
                    "--stale tự chọn xã và năm theo các dấu cần tính lại: không dùng kèm --area, --year."
                )
            rows = statistics.refresh_stale_figures()
        else:
            communes = None
            if area:
                found = Area.objects.filter(code=area.strip()).first()
                if found is None:
                    raise CommandError(f"Không có địa bàn mã “{area}”.")
                if found.level == Level.VILLAGE:
                    raise CommandError(
                        f"“{found.name}” là thôn/tổ dân phố: số liệu tính theo xã; hãy cho mã xã, huyện hoặc tỉnh."
                    )
                communes = list(
                    Area.objects.within(found).filter(level=Level.COMMUNE).values_list("id", flat=True)
                ) or [found.pk]
            try:
                rows = statistics.refresh_figures(years=year, communes=communes)
            except DomainError as error:
                raise CommandError(error.message) from error
        self.stdout.write(
            f"Đã tính số liệu: {number(rows)} dòng (xã × năm) trong {seconds(time.monotonic() - started)}."
        )
