"""Load the official list of provinces and communes (in force since 1 July 2025) from `vietnam-provinces`.

Idempotent: a second run changes nothing. A commune placed under an older district of the same
province keeps that parent (domain A7: the district level is optional, never required).
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from vietnam_provinces import Province, Ward

from households import rules
from households.models import Area
from households.rules import Level

SYNCED_FIELDS = (
    "name",
    "name_search",
    "level",
    "division_type",
    "province_id",
    "area_type",
    "is_official",
    "path",
    "parent_id",
)


class Command(BaseCommand):
    help = "Nạp danh mục 34 tỉnh/thành phố và 3.321 xã/phường/đặc khu chính thức (gói vietnam-provinces)."

    @transaction.atomic
    def handle(self, *args, **options):
        existing = {a.code: a for a in Area.objects.filter(level__in=[Level.PROVINCE, Level.DISTRICT, Level.COMMUNE])}
        created = updated = 0

        def sync(code: str, values: dict) -> Area:
            nonlocal created, updated
            area = existing.get(code)
            if area is None:
                area = Area.objects.create(code=code, **values)
                existing[code] = area
                created += 1
                return area
            changed = [name for name in SYNCED_FIELDS if name in values and getattr(area, name) != values[name]]
            if changed:
                for name in changed:
                    setattr(area, name, values[name])
                area.save(update_fields=changed)
                updated += 1
            return area

        provinces = {}
        for province in Province.iter_all():
            code = f"{int(province.code):02d}"
            provinces[int(province.code)] = sync(
                code,
                {
                    "name": province.name,
                    "name_search": rules.fold_text(province.name),
                    "level": Level.PROVINCE,
                    "division_type": province.division_type.value,
                    "parent_id": None,
                    "province_id": None,
                    "area_type": "",
                    "is_official": True,
                    "path": f"/{code}/",
                },
            )
        for ward in Ward.iter_all():
            code = f"{int(ward.code):05d}"
            province = provinces[int(ward.province_code)]
            parent = province
            current = existing.get(code)
            if current is not None and current.parent_id and current.parent_id != province.pk:
                district = Area.objects.filter(pk=current.parent_id, level=Level.DISTRICT, parent=province).first()
                if district is not None:
                    parent = district
            sync(
                code,
                {
                    "name": ward.name,
                    "name_search": rules.fold_text(ward.name),
                    "level": Level.COMMUNE,
                    "division_type": ward.division_type.value,
                    "parent_id": parent.pk,
                    "province_id": province.pk,
                    "area_type": rules.area_type_for_division(ward.division_type.value),
                    "is_official": True,
                    "path": f"{parent.path}{code}/",
                },
            )
        self.stdout.write(
            f"Địa bàn chính thức: {len(provinces)} tỉnh, "
            f"{Area.objects.filter(level=Level.COMMUNE, is_official=True).count()} xã; "
            f"tạo mới {created}, cập nhật {updated}."
        )
