"""The review's documents (domain A6; Part B §3.2 steps 4 and 6): the public posting list, the list attached
to the recognition decision and a household's certificate (…/GCN-HN.HCN).

Read-only builders, scoped by the user through the one door (`visible_to`), each in a fixed number of
queries whatever the commune's size. A builder returns one plain `Document`; `render_xlsx` writes it as an
Excel file and the views render the same object as a printable page, so both formats always agree.
"""

import datetime
import io
import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from config.errors import DomainError, NotFound
from households.models import Area, Household, Member, User
from households.rules import Level, fold_text
from programs.models import ReviewCampaign, ReviewCase, ReviewKind, StatusEvent
from programs.review.rules import CaseState
from programs.rules import LISTED

POSTED_STATES = (CaseState.POSTED, CaseState.RECHECK)  # on the board: posted, or held by a complaint's recheck
DECIDED_STATES = (CaseState.RECOGNISED, CaseState.REPORTED)
NATIONAL_HEADING = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SIGNER = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
NO_HEAD = "(chưa ghi chủ hộ)"
UNCHANGED = "Giữ nguyên"
_CASE_ORDER = ("household__village__name", "household__code", "pk")  # village by village, as posted


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # characters, for the Excel column
    kind: str = "text"  # text | number | date


@dataclass(frozen=True)
class Section:
    title: str  # "" for the single table of a document
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Document:
    """What both renderers print: the heading, the title, header lines, one table in sections, the signature."""

    name: str  # posting-list | decision-list | certificate: the URL name and the audit entry's "document"
    title: str
    issuer: str  # "ỦY BAN NHÂN DÂN XÃ …"
    number: str  # "Số: …" of a numbered document, else ""
    header: tuple[str, ...]
    columns: tuple[Column, ...]
    sections: tuple[Section, ...]
    place_date: str
    filename: str  # ASCII, without the extension
    sheet: str  # the Excel sheet's name (at most 31 characters)
    subject: models.Model  # the object the audit entry names (a campaign, a case, an area)
    household: Household | None = None  # the household a certificate is about, for its audit trail
    household_ids: tuple[int, ...] = ()  # the households it names, for the access log (households.access)
    signer: tuple[str, ...] = SIGNER
    empty_text: str = "Không có hộ nào."

    @property
    def orientation(self) -> str:
        """A4 upright unless the table is too wide for it."""
        return "landscape" if sum(column.width for column in self.columns) > 140 else "portrait"

    @property
    def rows(self) -> tuple[tuple[Any, ...], ...]:
        return tuple(row for section in self.sections for row in section.rows)

    @property
    def text_sections(self) -> list[tuple[str, list[list[tuple[str, str]]]]]:
        """The sections with each cell as (text, kind), dates dd/mm/yyyy: what the printable page shows."""
        kinds = [column.kind for column in self.columns]
        return [
            (section.title, [[(as_text(v), kind) for v, kind in zip(row, kinds, strict=True)] for row in section.rows])
            for section in self.sections
        ]


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


# --- shared pieces ---------------------------------------------------------------------------------------


def unit_name(area: Area) -> str:
    """The unit's name with its kind, e.g. Xã Khao Mang: the official list names the kind, older rows may not."""
    kind = area.division_type
    if kind and not fold_text(area.name).startswith(fold_text(kind)):
        return f"{kind[:1].upper()}{kind[1:]} {area.name}"
    return area.name


def in_text(area: Area) -> str:
    """The unit as written inside a sentence, its kind in lower case: phường Lào Cai, tỉnh Lào Cai."""
    kind = area.division_type.removesuffix(" trung ương")  # "thành phố trung ương" is written "thành phố"
    return f"{kind.lower()} {place_name(area)}" if kind else area.name


def place_name(area: Area) -> str:
    """The name without its kind (Khao Mang), as written before the date of a document."""
    kind = area.division_type
    if kind and fold_text(area.name).startswith(fold_text(kind) + " "):
        return area.name[len(kind) + 1 :]
    return area.name


def issuer_of(area: Area) -> str:
    return f"ỦY BAN NHÂN DÂN {unit_name(area).upper()}"


def dated(area: Area, day: datetime.date | None) -> str:
    if day is None:
        return f"{place_name(area)}, ngày …… tháng …… năm ……"
    return f"{place_name(area)}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def review_label(campaign: ReviewCampaign) -> str:
    if campaign.kind == ReviewKind.PERIODIC:
        return f"Rà soát định kỳ năm {campaign.year}"
    return f"Rà soát thường xuyên tháng {campaign.month}/{campaign.year}"


def ascii_slug(text: str) -> str:
    """ASCII for file names: Xã Khao Mang -> xa-khao-mang, 0001/2026/GCN-HN.HCN -> 0001-2026-gcn-hn-hcn."""
    return re.sub(r"[^a-z0-9]+", "-", fold_text(text)).strip("-")


def _cycle_slug(campaign: ReviewCampaign) -> str:
    return f"{campaign.year}" if campaign.kind == ReviewKind.PERIODIC else f"t{campaign.month:02d}-{campaign.year}"


def _head_name(household: Household) -> str:
    return household.head.full_name if household.head is not None else NO_HEAD


def _village_name(household: Household) -> str:
    return household.village.name if household.village is not None else ""


def _campaign(user: User, campaign_id: int) -> ReviewCampaign:
    campaign: ReviewCampaign | None = (
        ReviewCampaign.objects.visible_to(user).select_related("area", "standard").filter(pk=campaign_id).first()
    )
    if campaign is None:
        raise NotFound("Không tìm thấy kỳ rà soát.", "campaign")
    return campaign


def _cases(user: User, campaign: ReviewCampaign, states: tuple[CaseState, ...]) -> "QuerySet[ReviewCase]":
    """The campaign's cases in `states`, through the one door (a household that moved away stays out)."""
    return (
        ReviewCase.objects.visible_to(user)
        .filter(campaign=campaign, state__in=[s.value for s in states])
        .select_related("campaign", "household__head", "household__village")
        .order_by(*_CASE_ORDER)
    )


# --- the posting list (step 4) -------------------------------------------------------------------------


def posting_list(*, user: User, campaign_id: int, village_id: int | None = None) -> Document:
    """Danh sách niêm yết công khai: the households on the board (posted, or held by a recheck), with only
    what the procedure needs: the head's name, the village, the proposed category and the case's reference
    to quote in a complaint. No ID numbers, no incomes, no scores."""
    campaign = _campaign(user, campaign_id)
    commune = campaign.area
    cases = _cases(user, campaign, POSTED_STATES)
    village = None
    if village_id is not None:
        village = Area.objects.filter(pk=village_id, level=Level.VILLAGE, parent_id=commune.pk).first()
        if village is None:
            raise DomainError("unknown_village", f"Thôn, tổ dân phố này không thuộc {in_text(commune)}.", "village")
        cases = cases.filter(household__village=village)
    listed = list(cases)
    starts = [case.posting_start for case in listed if case.posting_start]
    ends = [case.posting_end for case in listed if case.posting_end]
    first, last = (min(starts), max(ends)) if starts and ends else (None, None)
    where = f"Ủy ban nhân dân {in_text(commune)}"
    header = [review_label(campaign) + (f" — {village.name}" if village else "")]
    if first and last:
        header += [
            f"Thời gian niêm yết: từ ngày {first:%d/%m/%Y} đến hết ngày {last:%d/%m/%Y}.",
            f"Ý kiến, khiếu nại về kết quả rà soát gửi {where} trong thời gian niêm yết, chậm nhất hết ngày "
            f"{last:%d/%m/%Y}; ghi rõ số hồ sơ của hộ.",
        ]
    else:
        header.append("Hiện không có hộ nào đang niêm yết.")
    rows = tuple(
        (
            number,
            _head_name(case.household),
            _village_name(case.household),
            case.get_proposed_category_display(),
            case.reference,
        )
        for number, case in enumerate(listed, start=1)
    )
    return Document(
        name="posting-list",
        title="DANH SÁCH NIÊM YẾT CÔNG KHAI KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO",
        issuer=issuer_of(commune),
        number="",
        header=tuple(header),
        columns=(
            Column("STT", 6, "number"),
            Column("Họ và tên chủ hộ", 30),
            Column("Thôn, tổ dân phố", 24),
            Column("Đề xuất phân loại", 26),
            Column("Số hồ sơ (ghi khi khiếu nại)", 20),
        ),
        sections=(Section("", rows),),
        place_date=dated(commune, first),
        filename="-".join(
            ["danh-sach-niem-yet", ascii_slug(unit_name(commune)), _cycle_slug(campaign)]
            + ([ascii_slug(village.name)] if village else [])
        ),
        sheet="Niêm yết",
        subject=campaign,
        household_ids=tuple(case.household_id for case in listed),
    )


# --- the list attached to the recognition decision (step 6) ----------------------------------------------


def _event(case: ReviewCase) -> str | None:
    """What the decision changed: the event recorded with it (A5); none when the status stays as it was."""
    return case.status_change.event if case.status_change is not None else None


def decision_result(case: ReviewCase) -> str:
    change = case.status_change
    if change is None:
        return UNCHANGED
    label = str(change.get_event_display())
    if change.event == StatusEvent.ESCAPED_POVERTY and change.to_status == "near_poor":
        label += ", thành hộ cận nghèo"
    return label


# The lists of the decision (§3.2 step 6). A poor household that becomes near-poor is on the near-poor list
# and on the escaped-poverty list, as the decisions and the movement reports count it (§4.3).
DECISION_GROUPS = (
    ("I. Hộ nghèo", lambda case: case.recognised_status == "poor"),
    ("II. Hộ cận nghèo", lambda case: case.recognised_status == "near_poor"),
    ("III. Hộ thoát nghèo", lambda case: _event(case) == StatusEvent.ESCAPED_POVERTY),
    ("IV. Hộ thoát cận nghèo", lambda case: _event(case) == StatusEvent.ESCAPED_NEAR_POVERTY),
)


def decision_list(*, user: User, campaign_id: int) -> Document:
    """Danh sách kèm theo quyết định công nhận: the recognised (and reported) cases by list, each with what
    the decision changed and its certificate number. A household recognised as not poor that was not poor
    before is on none of the lists."""
    campaign = _campaign(user, campaign_id)
    commune = campaign.area
    cases = list(_cases(user, campaign, DECIDED_STATES).select_related("status_change"))
    decisions = sorted({(case.decision_date, case.decision_number) for case in cases if case.decision_date})
    several = len(decisions) > 1
    columns = [Column("STT", 6, "number"), Column("Họ và tên chủ hộ", 30), Column("Thôn, tổ dân phố", 24)]
    columns.append(Column("Kết quả rà soát", 30))
    if several:
        columns += [Column("Số quyết định", 16), Column("Ngày quyết định", 14, "date")]
    columns.append(Column("Số giấy chứng nhận", 24))
    sections, named = [], set()
    for title, belongs in DECISION_GROUPS:
        members = [case for case in cases if belongs(case)]
        named.update(case.household_id for case in members)
        rows = []
        for number, case in enumerate(members, start=1):
            row: list[Any] = [number, _head_name(case.household), _village_name(case.household), decision_result(case)]
            if several:
                row += [case.decision_number, case.decision_date]
            rows.append((*row, case.certificate_number))
        sections.append(Section(f"{title} ({len(members)} hộ)", tuple(rows)))
    chair = f"Chủ tịch Ủy ban nhân dân {in_text(commune)}"
    if decisions:
        quoted = ", ".join(f"số {number} ngày {day:%d/%m/%Y}" for day, number in decisions)
        attached = f"(Kèm theo {'các ' if several else ''}Quyết định {quoted} của {chair})"
    else:
        attached = f"(Chưa có quyết định công nhận của {chair})"
    return Document(
        name="decision-list",
        title="DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ THOÁT NGHÈO, HỘ THOÁT CẬN NGHÈO",
        issuer=issuer_of(commune),
        number="",
        header=(attached, review_label(campaign)),
        columns=tuple(columns),
        sections=tuple(sections),
        place_date=dated(commune, decisions[-1][0] if decisions else None),
        filename=f"danh-sach-cong-nhan-{ascii_slug(unit_name(commune))}-{_cycle_slug(campaign)}",
        sheet="Kèm theo quyết định",
        subject=campaign,
        household_ids=tuple(sorted(named)),
    )


# --- a household's certificate (step 6) ------------------------------------------------------------------


def certificate_validity(kind: str, year: int, decision_date: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The periodic review of Y decides the lists of Y+1; a monthly decision holds from its date to the end
    of that year, when the next periodic review's lists take over (Part B §8.3 guards)."""
    if kind == ReviewKind.PERIODIC:
        return datetime.date(year + 1, 1, 1), datetime.date(year + 1, 12, 31)
    return decision_date, datetime.date(decision_date.year, 12, 31)


def _member_order(member: Member) -> tuple[int, datetime.date, int]:
    return (0 if member.relation == "head" else 1, member.date_of_birth, member.pk)


def certificate(*, user: User, case_id: int) -> Document:
    """Giấy chứng nhận hộ nghèo / hộ cận nghèo of a recognised case, with the household's members (full
    name, birth year, sex, ethnicity, relation to the head). A case without a certificate is a clear error."""
    members = Member.objects.select_related("ethnicity").order_by("pk")
    case = (
        ReviewCase.objects.visible_to(user)
        .select_related(
            "campaign__area",
            "campaign__standard",
            "household__head",
            "household__village",
            "household__commune",
            "household__province",
        )
        .prefetch_related(Prefetch("household__members", queryset=members, to_attr="listed_members"))
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("Không tìm thấy hồ sơ rà soát.", "case")
    if (
        not case.certificate_number
        or case.state not in DECIDED_STATES
        or case.recognised_status not in LISTED
        or case.decision_date is None
    ):
        raise DomainError(
            "no_certificate",
            f"Hồ sơ {case.reference} không có giấy chứng nhận: giấy chỉ cấp cho hộ đã được công nhận là "
            "hộ nghèo hoặc hộ cận nghèo.",
            "case",
        )
    campaign, household = case.campaign, case.household
    commune = campaign.area
    category = case.get_recognised_status_display()
    valid_from, valid_to = certificate_validity(campaign.kind, campaign.year, case.decision_date)
    if campaign.kind == ReviewKind.PERIODIC:
        validity = f"Giấy chứng nhận có giá trị trong năm {valid_from.year}"
    else:
        validity = "Giấy chứng nhận có giá trị"
    validity += f" (từ ngày {valid_from:%d/%m/%Y} đến hết ngày {valid_to:%d/%m/%Y})."
    address = ", ".join(
        part
        for part in (
            household.address,
            _village_name(household),
            in_text(household.commune),
            in_text(household.province),
        )
        if part
    )
    head = household.head
    if head is not None:
        who = f"Hộ {'ông' if head.sex == 'male' else 'bà'}: {head.full_name} (mã hộ {household.code})"
    else:
        who = f"Hộ mã {household.code} {NO_HEAD}"
    standard = campaign.standard
    listed = sorted(household.listed_members, key=_member_order)
    rows = tuple(
        (
            number,
            member.full_name,
            member.date_of_birth.year,
            member.get_sex_display(),
            member.ethnicity.name,
            member.get_relation_display(),
        )
        for number, member in enumerate(listed, start=1)
    )
    return Document(
        name="certificate",
        title=f"GIẤY CHỨNG NHẬN {category.upper()}",
        issuer=issuer_of(commune),
        number=f"Số: {case.certificate_number}",
        header=(
            f"Ủy ban nhân dân {in_text(commune)} chứng nhận:",
            who,
            f"Địa chỉ: {address}",
            f"Là {category.lower()} theo {standard.name} ({standard.legal_basis}), {review_label(campaign).lower()}.",
            f"Theo Quyết định số {case.decision_number} ngày {case.decision_date:%d/%m/%Y} của Chủ tịch "
            f"Ủy ban nhân dân {in_text(commune)}.",
            validity,
        ),
        columns=(
            Column("STT", 6, "number"),
            Column("Họ và tên", 30),
            Column("Năm sinh", 10, "number"),
            Column("Giới tính", 10),
            Column("Dân tộc", 14),
            Column("Quan hệ với chủ hộ", 20),
        ),
        sections=(Section("Các thành viên của hộ", rows),),
        place_date=dated(commune, case.decision_date),
        filename=f"giay-chung-nhan-{ascii_slug(case.certificate_number)}",
        sheet="Giấy chứng nhận",
        subject=case,
        household=household,
        household_ids=(household.pk,),
        empty_text="Hộ không còn thành viên nào.",
    )


# --- Excel -----------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_DATE_FORMAT = "dd/mm/yyyy"


def render_xlsx(document: Document) -> bytes:
    """The document as one sheet: the national heading and the issuer, the title, the header lines, the table
    (bold header, borders, column widths, real dates shown dd/mm/yyyy) and the signature; A4, fit to width."""
    book = Workbook()
    sheet = book.active
    sheet.title = document.sheet[:31]
    book.properties.title = document.title
    book.properties.creator = "giamngheo"
    width = len(document.columns)
    total_chars = sum(column.width for column in document.columns)
    row = 1

    def line(text: str, *, bold: bool = False, italic: bool = False, size: int = 11, align: str = "center") -> None:
        nonlocal row
        cell = sheet.cell(row=row, column=1, value=_clean(text))
        _as_text(cell)
        cell.font = Font(bold=bold, italic=italic, size=size)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if width > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        lines = max(1, -(-len(text) // max(1, int(total_chars * 1.1))))
        sheet.row_dimensions[row].height = 15 * lines + (4 if size > 11 else 0)
        row += 1

    for text in NATIONAL_HEADING:
        line(text, bold=True)
    line(document.issuer, bold=True)
    if document.number:
        line(document.number)
    row += 1
    line(document.title, bold=True, size=14)
    for text in document.header:
        line(text, align="left")
    row += 1

    header_row = row
    for index, column in enumerate(document.columns, start=1):
        cell = sheet.cell(row=row, column=index, value=column.label)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[row].height = 30
    row += 1

    for section in document.sections:
        if section.title:
            line(section.title, bold=True, align="left")
        if not section.rows:
            line(document.empty_text, italic=True, align="left")
        for values in section.rows:
            for index, (value, column) in enumerate(zip(values, document.columns, strict=True), start=1):
                cell = sheet.cell(row=row, column=index, value=_clean(value))
                cell.border = _BOX
                cell.alignment = Alignment(vertical="top", wrap_text=True)
                if column.kind == "date" and value is not None:
                    cell.number_format = _DATE_FORMAT
                    cell.alignment = Alignment(horizontal="center", vertical="top")
                elif column.kind == "number":
                    cell.alignment = Alignment(horizontal="center", vertical="top")
                else:
                    _as_text(cell)
            row += 1

    row += 1
    line(document.place_date, italic=True, align="right")
    for text in document.signer:
        line(text, bold=True, align="right")

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = document.orientation
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _clean(value: Any) -> Any:
    """Control characters (a pasted vertical tab in an address) cannot be stored in a sheet: drop them."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _as_text(cell: Any) -> None:
    """Text stays text: a name that starts with "=" is never written as a formula (spreadsheet injection)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
