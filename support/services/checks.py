"""What every writer of support checks first: the actor's right, a day within the program's years, a household in
the actor's scope (locked for the write), an active type of support; and the most money one support may carry."""

import datetime

from config.errors import DomainError, NotFound
from households.models import Household, User
from support.models import InterventionType

MAX_AMOUNT = 10_000_000_000  # VND: far above any support; keeps typos and overflows out


def require(actor: User, right: str, what: str) -> None:
    if not actor.has_right(right):
        raise DomainError("no_right", f"Tài khoản không có quyền {what}.", "actor")


def locked_household(actor: User, household_id: int) -> Household:
    household: Household | None = (
        Household.objects.visible_to(actor).select_for_update(no_key=True).filter(pk=household_id).first()
    )
    if household is None:
        raise NotFound("Không tìm thấy hộ.", "household")
    return household


EARLIEST = datetime.date(2000, 1, 1)  # no support record of the program is older; catches typed years like 0202


def check_day(day: datetime.date, today: datetime.date, field: str, what: str) -> None:
    if day < EARLIEST:
        raise DomainError("too_old", f"{what} ({day:%d/%m/%Y}) phải từ năm 2000.", field)
    if day > today:
        raise DomainError("in_future", f"{what} ({day:%d/%m/%Y}) không được sau hôm nay.", field)


def active_type(type_code: str) -> InterventionType:
    intervention_type = InterventionType.objects.filter(code=type_code, active=True).first()
    if intervention_type is None:
        raise DomainError("unknown_type", f"Loại hỗ trợ “{type_code}” không có hoặc không còn áp dụng.", "type")
    return intervention_type
