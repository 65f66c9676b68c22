"""The writer of the areas: a commune's villages (thôn, tổ dân phố). Provinces, districts and communes are the
official list, loaded by `load_areas`, not edited here."""

from django.db import transaction

from config.errors import DomainError
from households import rules
from households.models import Area, User
from households.rules import Level
from households.services.audit import log_action


def check_new_village(*, actor: User, commune: Area | None, name: str, code: str = "") -> None:
    """A village goes under a commune in the actor's scope, with a name (and code) not used there yet."""
    if commune is None or commune.level != Level.COMMUNE:
        raise DomainError("not_a_commune", "Thôn/tổ dân phố phải thuộc một xã/phường/đặc khu.", "parent")
    if not actor.is_in_charge_of(commune):
        raise DomainError("out_of_scope", f"{commune.name} nằm ngoài địa bàn bạn phụ trách.", "parent")
    name = " ".join(name.split())
    if not name:
        raise DomainError("required", "Tên thôn không được để trống.", "name")
    if Area.objects.filter(parent=commune, name_search=rules.fold_text(name)).exists():
        raise DomainError("duplicate", f"{commune.name} đã có thôn/tổ dân phố “{name}”.", "name")
    if code and Area.objects.filter(code=code).exists():
        raise DomainError("duplicate", f"Mã địa bàn {code} đã tồn tại.", "code")


@transaction.atomic
def create_village(*, actor: User, commune: Area, name: str, code: str = "", division_type: str = "") -> Area:
    """Add a village (thôn, tổ dân phố) under a commune in the actor's scope."""
    check_new_village(actor=actor, commune=commune, name=name, code=code)
    name = " ".join(name.split())
    locked = Area.objects.select_for_update().get(pk=commune.pk)
    check_new_village(actor=actor, commune=locked, name=name, code=code)  # again, now that we hold the lock
    if not code:
        count = Area.objects.filter(parent=locked).count()
        code = f"{locked.code}.{count + 1:03d}"
        while Area.objects.filter(code=code).exists():
            count += 1
            code = f"{locked.code}.{count + 1:03d}"
    village = Area.objects.create(
        code=code,
        name=name,
        name_search=rules.fold_text(name),
        level=Level.VILLAGE,
        division_type=division_type or ("tổ dân phố" if locked.area_type == "urban" else "thôn"),
        parent=locked,
        province_id=locked.province_id,
        path=f"{locked.path}{code}/",
        area_type=locked.area_type,
    )
    log_action(
        actor=actor,
        action="households.area.created",
        obj=village,
        changes={"name": (None, name), "code": (None, code), "parent": (None, locked.pk)},
    )
    return village
