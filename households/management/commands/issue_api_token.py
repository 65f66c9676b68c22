from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from config.errors import DomainError
from households import services
from households.models import User


class Command(BaseCommand):
    help = (
        "Cấp một token API có thời hạn cho một tài khoản (tài khoản máy của một hệ thống kết nối); in token ra "
        "một lần, chỉ lưu bản băm. Ghi nhật ký (người thực hiện: dòng lệnh)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--hours",
            type=int,
            default=settings.API_MACHINE_TOKEN_TTL_HOURS,
            help="Thời hạn, tính bằng giờ (mặc định API_MACHINE_TOKEN_TTL_HOURS: %(default)s).",
        )

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{options['username']}”.")
        try:
            token, key = services.issue_api_token(actor=None, user_id=user.pk, hours=options["hours"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        expiry = timezone.localtime(token.expiry).strftime("%H:%M ngày %d/%m/%Y")
        self.stderr.write(f"Token của {user.username}, hết hạn lúc {expiry} (chỉ hiện một lần):")
        self.stdout.write(key)
