"""Demo data for one province: logins, a legacy district, villages and synthetic households.

Idempotent: logins, the district and villages are created only when missing, and households only when
the chosen communes have none yet, so a second run changes nothing. Households and members are drawn by
`households.demo` from `--seed` and written in one transaction: COPY on PostgreSQL (300,000 households
in well under three minutes), `bulk_create` on SQLite.
"""

import time
from collections.abc import Iterable, Sequence

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Substr
from django.utils import timezone

from config.bulk import Stopwatch, copy_rows, foreign_keys_validated_after, reserve_ids, vacuum_analyze
from config.formats import number, seconds
from households import demo, services
from households.models import Area, Household, Member, User
from households.rules import Level, Role, area_type_for_division, fold_text

PASSWORD = "giamngheo-demo"  # noqa: S105 - published demo password, printed by the command
DISTRICT_NAME = "Huyện cũ (dữ liệu demo)"
# From this many households on, the trigram (GIN) indexes of the household and member tables are dropped
# before the COPY and rebuilt once after it rather than maintained row by row (the area table's is untouched:
# nothing is copied into it). The btrees stay: tried at 300,000 households, the COPY without them was no faster
# (54 s against 56 s) and building them again afterwards added about a minute.
REBUILD_INDEXES_FROM = 50_000
SQLITE_BATCH = 2_000

# username, role, which area ("A", "B": the first two demo communes), display name
LOGINS = (
    ("canbo_xa_a", Role.COMMUNE_OFFICER, "A", "Cán bộ giảm nghèo xã A (demo)"),
    ("canbo_xa_b", Role.COMMUNE_OFFICER, "B", "Cán bộ giảm nghèo xã B (demo)"),
    ("chutich_xa_a", Role.COMMUNE_CHAIR, "A", "Chủ tịch UBND xã A (demo)"),
    ("canbo_huyen", Role.DISTRICT_STAFF, "district", "Cán bộ huyện cũ (demo)"),
    ("canbo_tinh", Role.PROVINCE_STAFF, "province", "Cán bộ tỉnh (demo)"),
    ("quantri", Role.PROGRAM_ADMIN, None, "Quản trị chương trình (demo)"),
    ("chutich_xa_b", Role.COMMUNE_CHAIR, "B", "Chủ tịch UBND xã B (demo)"),
)


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu demo cho một tỉnh: tài khoản demo, một huyện cũ, thôn/tổ dân phố và hộ gia đình tổng hợp "
        "(cần chạy load_areas trước)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=300, help="Số hộ cần tạo (mặc định 300).")
        parser.add_argument("--province", default="15", help="Mã tỉnh/thành phố (mặc định 15, Lào Cai).")
        parser.add_argument("--seed", type=int, default=2026, help="Hạt giống ngẫu nhiên (mặc định 2026).")

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stopwatch = Stopwatch()
        count = options["households"]
        if count < 0:
            raise CommandError("Số hộ phải là số không âm.")
        code = options["province"].strip()
        if code.isdigit():
            code = f"{int(code):02d}"
        if not Area.objects.filter(level=Level.PROVINCE).exists():
            raise CommandError("Chưa có danh mục địa bàn: hãy chạy `python manage.py load_areas` trước.")
        province = Area.objects.filter(level=Level.PROVINCE, code=code).first()
        if province is None:
            known = ", ".join(Area.objects.filter(level=Level.PROVINCE).values_list("code", flat=True))
            raise CommandError(f"Không có tỉnh/thành phố mã “{code}”. Các mã hợp lệ: {known}.")
        communes = list(Area.objects.filter(level=Level.COMMUNE, province=province).order_by("code"))
        if len(communes) < 2:
            raise CommandError(f"{province.name} cần ít nhất hai xã/phường để tạo dữ liệu demo.")
        chosen = communes[: demo.commune_count(count, len(communes))]

        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    # A concurrent run waits here, holding nothing: were it to wait on the communes' rows below, it
                    # would hold a lock on the area table that the load's foreign keys, dropped and added again
                    # (config.bulk), need exclusively, and one of the two runs would end in a deadlock.
                    cursor.execute(f"LOCK TABLE {Household._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
            # Lock the demo communes first: a concurrent run waits here, then finds the households and skips.
            list(Area.objects.select_for_update().filter(pk__in=[c.pk for c in chosen]))
            district = self._ensure_district(province, chosen[:2])
            logins = self._ensure_logins(province, district, chosen[0], chosen[1])
            if count and Household.objects.filter(commune__in=chosen).exists():
                result = None
            else:
                result = self._seed_households(province, chosen, count, options["seed"])
        self.stopwatch.lap("ghi nhật ký và commit")
        if result is not None and result[0]:
            # After the commit (VACUUM cannot run in a transaction): statistics and the visibility map, so that
            # the lists' counts are index-only scans from the first request.
            vacuum_analyze(Household, Member)
            self.stopwatch.lap("VACUUM (ANALYZE)")

        elapsed = time.monotonic() - started
        if result is None:
            self.stdout.write(
                f"Các xã/phường demo của {province.name} đã có hộ gia đình: bỏ qua bước tạo hộ (không tạo trùng). "
                f"Xong trong {seconds(elapsed)}."
            )
        else:
            households, members, villages = result
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã tạo {number(households)} hộ, {number(members)} thành viên và {villages} thôn/tổ dân phố mới "
                    f"ở {len(chosen)} xã/phường của {province.name} trong {seconds(elapsed)}."
                )
            )
        if options["verbosity"] >= 2:
            self.stdout.write(f"Thời gian từng bước: {self.stopwatch}")
        self.stdout.write(f"Tài khoản demo (mật khẩu “{PASSWORD}”):")
        for username, description, created in logins:
            note = "" if created else " — đã có từ trước, giữ nguyên"
            self.stdout.write(f"  {username}: {description}{note}")

    # --- areas and logins --------------------------------------------------------------------------

    def _ensure_district(self, province: Area, communes: Sequence[Area]) -> Area:
        """The legacy district of the demo, with demo communes A and B (and their villages) under it."""
        code = f"{province.code}-H01"
        district = Area.objects.filter(code=code).first()
        if district is None:
            district = Area.objects.create(
                code=code,
                name=DISTRICT_NAME,
                name_search=fold_text(DISTRICT_NAME),
                level=Level.DISTRICT,
                division_type="huyện",
                parent=province,
                province=province,
                path=f"{province.path}{code}/",
                area_type="",
                is_official=False,
            )
        for commune in Area.objects.select_for_update().filter(pk__in=[c.pk for c in communes]):
            if commune.parent_id == district.pk:
                continue
            commune.parent = district
            commune.path = f"{district.path}{commune.code}/"
            commune.save(update_fields=["parent", "path"])
            villages = list(Area.objects.filter(parent=commune))
            for village in villages:
                village.path = f"{commune.path}{village.code}/"
            Area.objects.bulk_update(villages, ["path"])
            # Keep the denormalised district key of households already registered there.
            Household.objects.filter(commune=commune).update(district=district)
        return district

    def _ensure_logins(
        self, province: Area, district: Area, commune_a: Area, commune_b: Area
    ) -> list[tuple[str, str, bool]]:
        areas = {"A": commune_a, "B": commune_b, "district": district, "province": province, None: None}
        done = []
        for username, role, which, full_name in LOGINS:
            user = User.objects.select_related("area").filter(username=username).first()
            created = user is None
            if user is None:
                user = services.create_officer(
                    actor=None, username=username, role=role, area=areas[which], password=PASSWORD, full_name=full_name
                )
                # The program administrator is no superuser: her role gives her the rights she needs (users,
                # standards, areas), and no superuser may decide a household's status (domain A6).
            where = user.area.name if user.area else "toàn quốc"
            done.append((username, f"{user.get_role_display() or 'không có vai trò'}, {where}", created))
        return done

    def _ensure_villages(self, province: Area, plans: Iterable[demo.CommunePlan]) -> tuple[dict[str, int], int]:
        wanted = {}
        for commune_plan in plans:
            commune = commune_plan.commune
            for village in commune_plan.villages:
                wanted[village.code] = (commune, village)
        existing = dict(Area.objects.filter(code__in=wanted).values_list("code", "id"))
        parents = {a.pk: a for a in Area.objects.filter(pk__in={c.id for c, _ in wanted.values()})}
        missing = []
        for code, (commune, village) in wanted.items():
            if code in existing:
                continue
            parent = parents[commune.id]
            missing.append(
                Area(
                    code=code,
                    name=village.name,
                    name_search=fold_text(village.name),
                    level=Level.VILLAGE,
                    division_type=village.division_type,
                    parent=parent,
                    province=province,
                    path=f"{parent.path}{code}/",
                    area_type=commune.area_type,
                    is_official=False,
                )
            )
        Area.objects.bulk_create(missing)
        return dict(Area.objects.filter(code__in=wanted).values_list("code", "id")), len(missing)

    # --- households --------------------------------------------------------------------------------

    def _seed_households(self, province: Area, chosen: Sequence[Area], count: int, seed: int) -> tuple[int, int, int]:
        locked = list(Area.objects.select_for_update().filter(pk__in=[c.pk for c in chosen]).order_by("code"))
        districts = set(Area.objects.filter(level=Level.DISTRICT, province=province).values_list("id", flat=True))
        inputs = [
            demo.Commune(
                id=c.pk,
                code=c.code,
                name=c.name,
                area_type=c.area_type or area_type_for_division(c.division_type),
                district_id=c.parent_id if c.parent_id in districts else None,
                household_seq=c.household_seq,
            )
            for c in locked
        ]
        self.stopwatch.lap("địa bàn và tài khoản")
        plan = demo.plan(communes=inputs, households=count, seed=seed)
        village_ids, new_villages = self._ensure_villages(province, plan.communes)
        if not count:
            return 0, 0, new_villages

        postgres = connection.vendor == "postgresql"
        if postgres:
            first_household, first_member = _reserve_ids_postgres(plan.households, plan.members)
        else:
            first_household, first_member = _next_ids(Household), _next_ids(Member)
        generated = demo.generate(
            plan,
            province_id=province.pk,
            province_code=province.code,
            village_ids=village_ids,
            first_household_id=first_household,
            first_member_id=first_member,
            national_id_counters=_national_id_counters(province.code),
            as_of=timezone.localdate(),
            now=timezone.now(),
        )
        self.stopwatch.lap("sinh dữ liệu")
        if postgres:
            _write_postgres(generated, rebuild_indexes=count >= REBUILD_INDEXES_FROM, stopwatch=self.stopwatch)
        else:
            _write_orm(generated)
            self.stopwatch.lap("bulk_create")

        for commune in locked:
            commune.household_seq = generated.last_seq[commune.code]
        Area.objects.bulk_update(locked, ["household_seq"])
        services.log_action(
            actor=None,
            action="households.demo.seeded",
            obj=province,
            changes={"households": (0, len(generated.households)), "members": (0, len(generated.members))},
            reason="Dữ liệu demo (seed_demo)",
        )
        return len(generated.households), len(generated.members), new_villages


def _national_id_counters(province_code: str) -> dict[int, int]:
    """The last serial used per (century/sex digit, birth year) under this province's 3-digit prefix."""
    prefix = f"{int(province_code):03d}"
    rows = (
        Member.objects.filter(national_id__gte=prefix + "0" * 9, national_id__lte=prefix + "9" * 9)
        .annotate(key=Substr("national_id", 4, 3))
        .values("key")
        .annotate(last=Max(Substr("national_id", 7, 6)))
        .values_list("key", "last")
    )
    return {int(key): int(last) for key, last in rows}


def _next_ids(model) -> int:
    return reserve_ids(model, 0)


def _reserve_ids_postgres(households: int, members: int) -> tuple[int, int]:
    """Take blocks of ids from the tables' sequences; the tables stay locked against inserts until commit."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {Household._meta.db_table}, {Member._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    return reserve_ids(Household, households), reserve_ids(Member, members)


def _write_postgres(generated: demo.Generated, *, rebuild_indexes: bool, stopwatch: Stopwatch) -> None:
    """COPY both tables in the current transaction, their foreign keys checked once, set-based, after the COPY."""
    tables = (Household._meta.db_table, Member._meta.db_table)
    with foreign_keys_validated_after(Household, Member), connection.cursor() as cursor:
        indexes = []
        if rebuild_indexes:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s) AND indexdef LIKE %s ORDER BY indexname",
                [list(tables), "% USING gin %"],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        for table, columns, rows in (
            (tables[0], demo.HOUSEHOLD_COLUMNS, generated.households),
            (tables[1], demo.MEMBER_COLUMNS, generated.members),
        ):
            copy_rows(table, columns, rows)
            stopwatch.lap(f"COPY {table}")
        if indexes:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for _, definition in indexes:
                cursor.execute(definition)
            stopwatch.lap(f"tạo lại {len(indexes)} chỉ mục")
    stopwatch.lap("kiểm tra khóa ngoại")


def _write_orm(generated: demo.Generated) -> None:
    """The same rows through the ORM, for SQLite (the embedded development database)."""
    for model, columns, rows in (
        (Household, demo.HOUSEHOLD_COLUMNS, generated.households),
        (Member, demo.MEMBER_COLUMNS, generated.members),
    ):
        for start in range(0, len(rows), SQLITE_BATCH):
            batch = [model(**dict(zip(columns, row, strict=True))) for row in rows[start : start + SQLITE_BATCH]]
            model.objects.bulk_create(batch)
