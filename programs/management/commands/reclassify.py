import json
import time

from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from config.formats import number, seconds
from households.models import Area
from programs.models import Category
from programs.standards.services import reclassify


def label(category: str) -> str:
    """A category by its name ("hộ cận nghèo"), as the survey pages say it, not its code."""
    return str(Category(category).label).lower()


class Command(BaseCommand):
    help = (
        "Phân loại lại phiếu khảo sát mới nhất của mọi hộ (trong địa bàn) theo một chuẩn nghèo khác. "
        "--dry-run chỉ báo cáo số hộ đổi phân loại theo xã, không ghi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("--standard", required=True, help="Mã chuẩn nghèo, ví dụ VN-2027")
        parser.add_argument("--area", help="Mã địa bàn (tỉnh, huyện, xã); bỏ trống: cả nước")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ báo cáo, không ghi")
        parser.add_argument("--reason", default="", help="Lý do (ghi vào nhật ký)")
        parser.add_argument("--json", action="store_true", help="In báo cáo dạng JSON")

    def handle(self, *args, **options):
        area = None
        if options["area"]:
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(f"Không có địa bàn mã {options['area']}.")
        started = time.monotonic()
        try:
            report = reclassify.reclassify(
                actor=None,
                standard_code=options["standard"],
                area=area,
                dry_run=options["dry_run"],
                reason=options["reason"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.monotonic() - started
        data = report.as_dict(reclassify.commune_names(report))
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        mode = "thử (không ghi)" if options["dry_run"] else f"đã ghi {report.written} phiếu mới"
        self.stdout.write(
            f"Chuẩn {report.standard}: {number(report.households)} hộ, {number(report.changed)} hộ đổi phân loại; "
            f"{mode}; "
            f"{len(report.skipped)} hộ bỏ qua; "
            f"{report.filled_answers} hộ có chỉ số chưa hỏi (tính là không thiếu hụt); "
            f"{seconds(elapsed)}."
        )
        for commune in data["communes"]:
            if commune["changed"]:
                moves = ", ".join(
                    f"{label(m['from'])} → {label(m['to'])}: {number(m['households'])}" for m in commune["moves"]
                )
                self.stdout.write(
                    f"  {commune['code']} {commune['name']}: {commune['changed']}/{commune['households']} ({moves})"
                )
