"""The targeting list as a document (domain A8): printable and Excel through `programs.review.documents`' renderers.

Names and villages only, with the status and the deprivations that put the household on the list: what a
planner needs to choose who gets a house or a cow, no ID numbers or incomes (STYLE 15).
"""

import datetime
from collections.abc import Sequence

from django.db.models import QuerySet

from households.models import Area, Household
from programs.review.documents import Column, Document, Section, ascii_slug, dated, issuer_of, unit_name
from programs.rules import INDICATOR_NAMES
from support.rules import STATUS_LABELS
from support.selectors import latest_assessment

MAX_ROWS = 50_000  # an Excel list of a whole province's poor households is far below this


def targeting_rows(households: QuerySet[Household]) -> tuple[list[tuple[object, ...]], tuple[int, ...]]:
    """The rows of the list, and the ids of their households (for the access log)."""
    listed = list(
        households.select_related("head", "village")
        .annotate(latest=latest_assessment())
        .order_by("village__name", "code")[:MAX_ROWS]
    )
    rows = [
        (
            number,
            household.code,
            household.head.full_name if household.head else "(chưa ghi chủ hộ)",
            household.village.name if household.village else "",
            STATUS_LABELS.get(household.status, household.status),
            household.status_since,
            ", ".join(INDICATOR_NAMES.get(code, code) for code in (household.latest or [])),
        )
        for number, household in enumerate(listed, start=1)
    ]
    return rows, tuple(household.pk for household in listed)


def targeting_document(
    *,
    area: Area,
    households: QuerySet[Household],
    indicator: str | None,
    statuses: Sequence[str],
    since: datetime.date,
    today: datetime.date,
    type_names: Sequence[str] = (),
) -> Document:
    what = f"thiếu hụt {INDICATOR_NAMES[indicator]}" if indicator else "thuộc diện hỗ trợ"
    if type_names:
        support_text = "“" + "”, “".join(type_names) + "”"
    else:
        support_text = "giải quyết thiếu hụt này" if indicator else "nào"
    who = ", ".join(STATUS_LABELS[s] for s in statuses)
    rows, ids = targeting_rows(households)
    return Document(
        name="targeting-list",
        title=f"DANH SÁCH HỘ {what.upper()} CHƯA ĐƯỢC HỖ TRỢ",
        issuer=issuer_of(area),
        number="",
        header=(
            f"{unit_name(area)}: {who} {what}, chưa nhận hỗ trợ {support_text} từ ngày {since:%d/%m/%Y}.",
            f"Theo phiếu rà soát gần nhất của từng hộ; lập ngày {today:%d/%m/%Y}.",
        ),
        columns=(
            Column("STT", 6, "number"),
            Column("Mã hộ", 22),
            Column("Họ và tên chủ hộ", 30),
            Column("Thôn, tổ dân phố", 24),
            Column("Tình trạng", 16),
            Column("Từ ngày", 12, "date"),
            Column("Chỉ số thiếu hụt", 60),
        ),
        sections=(Section("", tuple(rows)),),
        place_date=dated(area, today),
        filename="-".join(["danh-sach-doi-tuong-ho-tro", ascii_slug(unit_name(area)), indicator or "tat-ca"]),
        sheet="Đối tượng hỗ trợ",
        subject=area,
        household_ids=ids,
    )
