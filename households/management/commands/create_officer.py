from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from households import services
from households.models import Area, User


class Command(BaseCommand):
    help = "Tạo tài khoản cán bộ với một vai trò và một địa bàn phụ trách."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=User.Roles.values)
        parser.add_argument("--area", help="Mã địa bàn (tỉnh, huyện hoặc xã); bỏ trống cho quản trị chương trình.")
        parser.add_argument("--password", help="Mật khẩu; bỏ trống thì tài khoản chỉ dùng token.")
        parser.add_argument("--name", default="", help="Họ tên")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        area = None
        if options["area"]:
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(f"Không có địa bàn mã {options['area']} (đã chạy load_areas chưa?).")
        try:
            user = services.create_officer(
                actor=None,
                username=options["username"],
                role=options["role"],
                area=area,
                password=options["password"],
                full_name=options["name"],
                email=options["email"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        where = area.name if area else "toàn quốc"
        self.stdout.write(self.style.SUCCESS(f"Đã tạo {user.username} ({user.get_role_display()}, {where})."))
