"""Delete the access records past the retention (ACCESS_LOG_RETENTION_DAYS); the twin of
`households.tasks.prune_access_log`, which Celery beat runs nightly."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.formats import number
from households import services


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


class Command(BaseCommand):
    help = (
        "Xóa các bản ghi nhật ký truy cập dữ liệu cá nhân cũ hơn thời hạn lưu "
        f"(ACCESS_LOG_RETENTION_DAYS, hiện là {settings.ACCESS_LOG_RETENTION_DAYS} ngày)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm số bản ghi sẽ xóa, không xóa.")

    def handle(self, *args, dry_run, **options):
        pruned = services.prune_access_log(dry_run=dry_run)
        days = settings.ACCESS_LOG_RETENTION_DAYS
        what = f"{number(pruned.deleted)} bản ghi trước {_day(pruned.cutoff)} (lưu {number(days)} ngày)"
        if pruned.oldest is not None:
            what += f", cũ nhất lúc {_day(pruned.oldest)}"
        self.stdout.write(f"{'Sẽ xóa' if dry_run else 'Đã xóa'} {what}.")
