"""The demo of `make run`, set up once: every step runs on the first run and never again.

The steps are the management commands a new database needs to show the whole year (the official areas, demo
logins and households, last year's review, a year of support, this year's review opened and under way in every
state, reminders, escalations, the figures). Each step runs in one transaction with a row that records it
(`support.DemoStep`): a step is done and recorded, or neither. A later run finds the record and skips the step, so
it changes and adds nothing, whatever users wrote in between: a household registered by hand is not surveyed by
the demo, a decision by hand is not followed by an invented one, an area an administrator edited is not reloaded.

Why a record per step and not marks on the demo's own rows: most steps are the program's real batch jobs (opening
the review, reminders, figures), which act on every household by design and cannot tell the demo's rows from a
user's; only not running them again keeps a user's rows as they are. A step that failed leaves nothing and runs
again next time.

It lives in `support`, the app on top, because its steps are commands of every app (called by name).
"""

import io
import time
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.formats import seconds
from households.models import Area, AuditEntry
from households.rules import Level
from programs.models import ReviewCampaign, ReviewKind
from support.models import DemoStep


@dataclass(frozen=True)
class Step:
    name: str  # with the province, the key of the step's record
    label: str
    command: str
    args: tuple[str, ...]


def demo_steps(*, households: int, province: str, review_year: int, open_year: int, seed: int) -> list[Step]:
    """The steps of the demo, in order (what `make run` used to call one by one)."""
    seeded = ("--province", province, "--seed", str(seed))
    return [
        Step("areas", "Danh mục địa bàn chính thức", "load_areas", ()),
        Step("households", "Tài khoản demo và hộ gia đình", "seed_demo", ("--households", str(households), *seeded)),
        Step(
            f"review {review_year}",
            f"Rà soát định kỳ {review_year}",
            "seed_reviews",
            ("--year", str(review_year), *seeded),
        ),
        Step(f"support {review_year}", "Hỗ trợ hộ gia đình", "seed_support", ("--year", str(review_year), *seeded)),
        Step(
            f"open review {open_year}",
            f"Mở kỳ rà soát định kỳ {open_year}",
            "open_periodic_review",
            ("--year", str(open_year), "--area", province),
        ),
        Step(
            f"review cases {open_year}",
            f"Hồ sơ rà soát {open_year} ở mọi bước",
            "seed_review_cases",
            ("--year", str(open_year), *seeded),
        ),
        Step("reminders", "Nhắc việc", "send_review_reminders", ()),
        Step("escalations", "Báo quá hạn", "escalate_overdue", ()),
        Step("follow-ups", "Nhắc theo dõi hỗ trợ", "send_follow_up_reminders", ()),
        Step("figures", "Số liệu thống kê", "refresh_statistics", ("--area", province)),
    ]


class Command(BaseCommand):
    help = (
        "Dựng dữ liệu demo một lần (make run gọi lệnh này): mỗi bước chạy ở lần đầu và được ghi lại; lần sau bỏ qua "
        "các bước đã ghi, không sửa, không thêm gì vào dữ liệu người dùng đã nhập."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=600, help="Số hộ demo ở lần đầu (mặc định 600).")
        parser.add_argument("--province", default="15", help="Mã tỉnh demo (mặc định 15, Lào Cai).")
        parser.add_argument("--review-year", type=int, default=2025, help="Năm rà soát đã xong (mặc định 2025).")
        parser.add_argument("--open-year", type=int, default=2026, help="Năm rà soát đang diễn ra (mặc định 2026).")
        parser.add_argument("--seed", type=int, default=2026, help="Hạt giống ngẫu nhiên (mặc định 2026).")

    def handle(self, *args, households, province, review_year, open_year, seed, **options):
        province = f"{int(province):02d}" if province.strip().isdigit() else province.strip()
        steps = demo_steps(
            households=households, province=province, review_year=review_year, open_year=open_year, seed=seed
        )
        keys = {step.name: f"{province}: {step.name}" for step in steps}
        self._adopt_earlier_demo(province, open_year, list(keys.values()))
        done = dict(DemoStep.objects.filter(key__in=keys.values()).values_list("key", "done_at"))
        skipped = 0
        for step in steps:
            key = keys[step.name]
            if key in done:
                skipped += 1
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"{step.label} ({' '.join((step.command, *step.args))})"))
            started = time.monotonic()
            out = io.StringIO()
            try:
                with transaction.atomic():
                    call_command(step.command, *step.args, stdout=out, verbosity=options["verbosity"])
                    DemoStep.objects.create(key=key, output=out.getvalue())
            except IntegrityError:  # another run did this step meanwhile; this one's writes are rolled back
                self.stdout.write("  Một lần chạy khác vừa làm xong bước này: bỏ qua.")
                continue
            self.stdout.write(out.getvalue().rstrip())
            self.stdout.write(f"  ({seconds(time.monotonic() - started)})")
        if skipped:
            first = min(done.values())
            self.stdout.write(
                f"Dữ liệu demo đã dựng từ {timezone.localtime(first):%H:%M %d/%m/%Y}: bỏ qua {skipped} bước đã làm, "
                "giữ nguyên mọi dữ liệu đã nhập."
            )

    @staticmethod
    def _adopt_earlier_demo(province: str, open_year: int, keys: list[str]) -> None:
        """A database seeded by an earlier `make run`, before the steps were recorded (its households were seeded and
        its review opened, but no step is recorded): every step counts as done, so nothing runs on it again."""
        if DemoStep.objects.filter(key__startswith=f"{province}: ").exists():
            return
        area = Area.objects.filter(level=Level.PROVINCE, code=province).first()
        if area is None:
            return
        seeded = AuditEntry.objects.filter(action="households.demo.seeded", object_id=str(area.pk)).exists()
        opened = ReviewCampaign.objects.filter(
            year=open_year, kind=ReviewKind.PERIODIC, month=0, area__province=area
        ).exists()
        if seeded and opened:
            DemoStep.objects.bulk_create(
                [DemoStep(key=key, output="(đã có từ trước khi ghi các bước)") for key in keys], ignore_conflicts=True
            )
