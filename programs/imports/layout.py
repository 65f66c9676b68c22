"""The layout of the Excel import template (programs.imports): its sheets and columns, how a cell is read and how
an uploaded file is read (config.xlsx) into rows, refusing a file that is not the template as a whole. Headers
are plain Vietnamese text, the same whatever the admin's language. The template itself: programs.imports.template.
"""

import datetime
import functools
import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import translation

from config import formats
from config.xlsx import (
    ArchiveDamaged,
    ArchiveTooLarge,
    SheetTooLarge,
    TooManyParts,
    XlsxError,
    column_letters,
    open_workbook,
)
from households.models import (
    AreaType,
    EducationLevel,
    Relation,
    Schooling,
    Sex,
    WorkStatus,
)
from households.rules import fold_text
from programs.models import ReviewKind
from programs.rules import INDICATOR_NAMES, POVERTY_CAUSES, check_causes

INSTRUCTIONS, HOUSEHOLD, MEMBER, SURVEY, LISTS = "Hướng dẫn", "Hộ", "Thành viên", "Phiếu khảo sát", "Danh mục"
SHEETS = (HOUSEHOLD, MEMBER, SURVEY)
INDICATOR_PREFIX = "Thiếu hụt "
YES, NO = "Có", "Không"
MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = (
    300 * 1024 * 1024
)  # what the zip really unpacks to, counted (a 10 MB file of repeated text is more)
MAX_PARTS = 1_000  # of the zip (the template has about 15)
MAX_ROWS = 20_000  # rows of households, and of surveys
MAX_MEMBER_ROWS = 4 * MAX_ROWS
MAX_COLUMNS = 200  # of the header row
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
HEADER_SEARCH_ROWS = 10  # a header moved down (a title row above it) is found within these rows


def error(sheet: str, row: int | None, column: str, message: str) -> dict[str, Any]:
    """One line of the report: which sheet, which row (as Excel numbers it), which column, what is wrong."""
    return {"sheet": sheet[:60], "row": row, "column": column[:100], "message": message}


class FileRefused(Exception):
    """The file as a whole cannot be read as the template (not xlsx, too big, a sheet or column missing)."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__(errors[0]["message"])
        self.errors = errors


class CellError(ValueError):
    """A cell that is not what its column asks for; the message says what is expected."""


@dataclass(frozen=True)
class Col:
    header: str
    key: str
    kind: str  # int money decimal text id date flag tri answer choice village ethnicity ref info causes
    required: bool = False  # the cell may not be blank
    optional: bool = False  # the column may be missing: a file from a template made before the column was added
    choices: type[models.TextChoices] | None = None
    max_length: int | None = None
    width: int = 14
    note: str = ""


REF = Col(
    "Hộ (STT hoặc mã hộ)",
    "ref",
    "ref",
    required=True,
    width=16,
    note="STT hộ ở trang “Hộ”, hoặc mã hộ đã có.",
)
HOUSEHOLD_COLUMNS = (
    Col("STT hộ", "number", "int", required=True, width=8, note="Số thứ tự của hộ trong tệp, không trùng nhau."),
    Col("Mã hộ", "code", "text", width=16, note="Mã hộ đã có; để trống để thêm hộ mới (hệ thống cấp mã)."),
    Col(
        "Phiên bản",
        "version",
        "int",
        width=9,
        note="Giữ nguyên như khi tải mẫu (chống ghi đè thay đổi của người khác).",
    ),
    Col("Chủ hộ (tham khảo)", "head", "info", width=24, note="Chỉ để tham khảo, không nhập."),
    Col("Thôn/tổ dân phố", "village", "village", width=22, note="Tên thôn/tổ dân phố của xã (chọn trong danh sách)."),
    Col("Địa chỉ", "address", "text", max_length=255, width=30),
    Col("Khu vực", "area_type", "choice", choices=AreaType, width=12, note="Để trống: theo xã/phường."),
    Col("Hộ dân tộc thiểu số", "is_ethnic_minority", "flag", note="Có/Không."),
    Col("Có người có công với cách mạng", "has_revolutionary_contributor", "flag", note="Có/Không."),
    Col("Có thành viên thuộc đối tượng bảo trợ xã hội", "has_social_protection_member", "flag", note="Có/Không."),
    Col("Hộ không có khả năng lao động", "no_labour_capacity", "flag", note="Có/Không."),
    Col("Chủ hộ là nữ", "is_female_headed", "flag", note="Có/Không."),
)
MEMBER_COLUMNS = (
    REF,
    Col("Mã thành viên", "member_id", "int", width=10, note="Giữ nguyên cho thành viên đã có; để trống nếu thêm mới."),
    Col("Họ và tên", "full_name", "text", required=True, max_length=120, width=26),
    Col("Ngày sinh", "date_of_birth", "date", required=True, width=12, note="dd/mm/yyyy."),
    Col("Giới tính", "sex", "choice", required=True, choices=Sex, width=9),
    Col("Quan hệ với chủ hộ", "relation", "choice", required=True, choices=Relation, width=16),
    Col("Mã dân tộc", "ethnicity", "ethnicity", required=True, width=9, note="Mã 2 chữ số (trang “Danh mục”)."),
    Col("Số CCCD", "national_id", "id", width=15, note="12 chữ số, nhập dạng chữ để giữ số 0 ở đầu."),
    Col("Số thẻ BHYT", "health_insurance_number", "text", max_length=15, width=17),
    Col("Thẻ BHYT có giá trị đến", "health_insurance_valid_until", "date", width=12, note="dd/mm/yyyy."),
    Col("Người khuyết tật", "has_disability", "flag", width=10, note="Có/Không."),
    Col("Hưởng trợ cấp khuyết tật hằng tháng", "receives_disability_allowance", "flag", width=12, note="Có/Không."),
    Col("Đang đi học", "schooling", "choice", choices=Schooling, width=18, note="Để trống: không đi học."),
    Col("Trình độ học vấn cao nhất", "education_level", "choice", choices=EducationLevel, width=22),
    Col("Việc làm", "work_status", "choice", choices=WorkStatus, width=26),
    Col("Nghề nghiệp", "occupation", "text", max_length=120, width=18),
)
_SURVEY_HEAD = (
    REF,
    Col("Chủ hộ (tham khảo)", "head", "info", width=22, note="Chỉ để tham khảo, không nhập."),
    Col("Ngày khảo sát", "survey_date", "date", required=True, width=12, note="dd/mm/yyyy; không sau hôm nay."),
    Col("Năm rà soát", "review_year", "int", required=True, width=9),
    Col("Loại rà soát", "review_kind", "choice", choices=ReviewKind, width=16, note="Để trống: định kỳ."),
    Col("Tháng (rà soát thường xuyên)", "review_month", "int", width=10),
    Col("Thu nhập bình quân (đồng/người/tháng)", "income_per_capita", "money", width=16, note="Hoặc điểm A."),
    Col("Điểm A", "point_a", "int", width=8, note="Hoặc thu nhập bình quân."),
    Col("Có nhà ở", "has_house", "tri", width=8, note="Có/Không/để trống."),
    Col("Diện tích nhà ở (m²)", "floor_area_m2", "decimal", width=10),
    Col("Nền móng, khung bền chắc", "foundation_frame_durable", "tri", width=10, note="Có/Không/để trống."),
    Col("Tường bền chắc", "walls_durable", "tri", width=10, note="Có/Không/để trống."),
    Col("Mái bền chắc", "roof_durable", "tri", width=10, note="Có/Không/để trống."),
)
CAUSES = Col(
    "Nguyên nhân nghèo",
    "causes",
    "causes",
    optional=True,
    width=30,
    note="Hộ nghèo, hộ cận nghèo: một hoặc nhiều nguyên nhân, cách nhau bởi dấu “;”, ghi tên hoặc mã (trang "
    "“Danh mục”): " + "; ".join(f"{name} ({code})" for code, name in POVERTY_CAUSES.items()) + ".",
)
_SURVEY_TAIL = (
    CAUSES,
    Col(
        "Giữ câu trả lời khi khác kết quả tính",
        "keep_answers",
        "flag",
        width=14,
        note="Có: các câu trả lời 0/1 được xác nhận cả khi khác kết quả hệ thống tính từ thông tin thành viên, nhà ở.",
    ),
    Col("Người khảo sát", "surveyor_name", "text", max_length=120, width=20),
    Col("Ghi chú", "note", "text", max_length=2000, width=24),
)
DWELLING_KEYS = ("has_house", "floor_area_m2", "foundation_frame_durable", "walls_durable", "roof_durable")


def indicator_header(code: str) -> str:
    return INDICATOR_PREFIX + INDICATOR_NAMES[code]


def survey_columns(indicators: Sequence[str] = tuple(INDICATOR_NAMES)) -> tuple[Col, ...]:
    """The survey sheet with one 0/1 column per indicator (the template: those of the standard in force;
    reading: any indicator, the survey's standard then says which ones it takes)."""
    answers = tuple(
        Col(
            indicator_header(code),
            f"answer:{code}",
            "answer",
            width=11,
            note="1 = thiếu hụt, 0 = không, trống = hệ thống tính.",
        )
        for code in indicators
    )
    return _SURVEY_HEAD + answers + _SURVEY_TAIL


@functools.cache
def choice_labels(choices: type[models.TextChoices]) -> tuple[tuple[str, str], ...]:
    """(value, Vietnamese label) whatever language the request speaks."""
    with translation.override("vi"):
        return tuple((value, str(label)) for value, label in choices.choices)


@functools.cache
def _choice_keys(choices: type[models.TextChoices]) -> dict[str, str]:
    """What a cell may hold for a choice -> its value: the label as written, folded, or the value itself."""
    keys = {}
    for value, label in choice_labels(choices):
        keys.update({label: value, fold_text(label): value, value: value})
    return keys


# --- reading one cell ------------------------------------------------------------------------------------------

_DAY = re.compile(r"(?P<d>[0-9]{1,2})([/.-])(?P<m>[0-9]{1,2})\2(?P<y>[0-9]{4})")  # dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy
_ISO_DAY = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})")
_MONEY = re.compile(r"^[0-9]{1,3}([.,  ][0-9]{3})+$")
_ID_SEPARATORS = re.compile(r"[\s.\-]")
_TRUE = {"co", "x", "1", "true", "yes"}
_FALSE = {"khong", "0", "false", "no"}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return " ".join(str(value).split())


def whole(value: Any, *, money: bool = False) -> int:
    if isinstance(value, bool):
        raise CellError("Phải là một số nguyên.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raw = text(value)
    if money and _MONEY.match(raw):
        raw = re.sub(r"[.,  ]", "", raw)
    if re.fullmatch(r"-?[0-9]{1,19}", raw):
        return int(raw)
    raise CellError("Phải là một số nguyên" + (" (đồng, không có phần lẻ)." if money else "."))


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = text(value)
    day = _DAY.fullmatch(raw) or _ISO_DAY.fullmatch(raw)
    if day is not None:
        try:
            return datetime.date(int(day["y"]), int(day["m"]), int(day["d"]))
        except ValueError:
            pass  # 31/02: no such day
    raise CellError(f"Ngày “{raw}” không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 17/05/1980.")


def yes_no(value: Any, *, ones: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if value in (YES, 1, "1"):
        return True
    if value in (NO, 0, "0"):
        return False
    key = fold_text(text(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError("Phải là 1 (thiếu hụt) hoặc 0 (không thiếu hụt)." if ones else "Phải là “Có” hoặc “Không”.")


def choice(col: Col, value: Any) -> str:
    assert col.choices is not None
    keys = _choice_keys(col.choices)
    raw = text(value)
    found = keys.get(raw) or keys.get(fold_text(raw))
    if found is None:
        raise CellError("Phải là một trong: " + "; ".join(label for _, label in choice_labels(col.choices)) + ".")
    return found


def _cause_key(raw: str) -> str:
    """A cause as written, compared without diacritics, case or spaces around its commas."""
    return ",".join(fold_text(piece) for piece in raw.split(","))


_CAUSE_KEYS = {_cause_key(name): code for code, name in POVERTY_CAUSES.items()} | {c: c for c in POVERTY_CAUSES}
_CAUSE_SEPARATORS = re.compile(r"[;\n]")


def causes(value: Any) -> tuple[str, ...]:
    """The codes of the causes of poverty of a cell: names (POVERTY_CAUSES) or codes, separated by ";" or ",".

    A name may hold a comma itself ("thiếu vốn sản xuất, kinh doanh"): the pieces between commas are joined back
    into the longest name they make."""
    found, unknown = [], []
    for part in _CAUSE_SEPARATORS.split(value if isinstance(value, str) else text(value)):
        pieces = [" ".join(piece.split()) for piece in part.split(",")]
        start = 0
        while start < len(pieces):
            if not pieces[start]:
                start += 1
                continue
            for end in range(len(pieces), start, -1):
                code = _CAUSE_KEYS.get(_cause_key(",".join(pieces[start:end])))
                if code is not None:
                    found.append(code)
                    start = end
                    break
            else:
                unknown.append(pieces[start])
                start += 1
    if unknown:
        names = ", ".join(f"“{raw}”" for raw in unknown)
        known = "; ".join(POVERTY_CAUSES.values())
        codes = ", ".join(POVERTY_CAUSES)
        raise CellError(
            f"Không có nguyên nhân nghèo {names}. Ghi một hoặc nhiều nguyên nhân, cách nhau bởi dấu “;”, trong: "
            f"{known} (hoặc mã: {codes})."
        )
    return check_causes(found)


def parse(col: Col, value: Any) -> Any:
    """The cell's value for the service, or CellError; lookups (village, ethnicity, reference) are the caller's."""
    if blank(value):
        if col.required:
            raise CellError("Không được để trống.")
        return {"flag": False, "text": "", "choice": "", "causes": ()}.get(col.kind)
    kind = col.kind
    if kind in ("int", "money"):
        number = whole(value, money=kind == "money")
        if kind == "int" and not 0 <= number < 2**63:
            raise CellError("Phải là một số nguyên không âm.")
        return number
    if kind == "decimal":
        try:
            number = Decimal(text(value).replace(",", "."))
        except InvalidOperation as exc:
            raise CellError("Phải là một số (dùng dấu phẩy hoặc dấu chấm cho phần thập phân).") from exc
        if not number.is_finite():
            raise CellError("Phải là một số.")
        return number
    if kind == "date":
        return parse_date(value)
    if kind in ("flag", "tri"):
        return yes_no(value)
    if kind == "answer":
        return yes_no(value, ones=True)
    if kind == "choice":
        return choice(col, value)
    if kind == "causes":
        return causes(value)
    if kind == "id" and not isinstance(value, str):
        raise CellError("Số CCCD phải nhập dạng chữ (Text) để giữ các số 0 ở đầu; hãy định dạng ô là Text và nhập lại.")
    raw = text(value)
    if kind == "id":
        raw = _ID_SEPARATORS.sub("", raw)  # 015 080 000 123, 015.080.000.123
    if col.max_length and len(raw) > col.max_length:
        raise CellError(f"Dài quá {col.max_length} ký tự.")
    return raw


# --- reading the file -----------------------------------------------------------------------------------------


def _key(text: Any) -> str:
    return fold_text(str(text)) if text is not None else ""


def _no_header(book, sheet: str, known: dict[str, Col]) -> str:
    """What to say of a sheet whose first row has none of the template's headers: where they are, if below."""
    for number, values in itertools.islice(book.rows(sheet, MAX_COLUMNS), 1, HEADER_SEARCH_ROWS):
        if sum(_key(title) in known for title in values) >= 2:
            return f"Dòng tiêu đề của mẫu phải là dòng 1 (đang ở dòng {number}): hãy xoá các dòng phía trên nó."
    first = next(iter(known.values())).header
    return (
        f"Dòng 1 không phải dòng tiêu đề của mẫu (“{first}”, …): hãy tải mẫu mới và chép dữ liệu vào, "
        "giữ nguyên dòng tiêu đề."
    )


def _read_sheet(book, sheet: str, columns: tuple[Col, ...], limit: int) -> list[tuple[int, dict[str, Any]]]:
    """The non-blank rows of a sheet as {column key: raw value}, once its header row is the template's."""
    if sheet not in book.sheetnames:
        raise FileRefused([error(sheet, None, "", f"Thiếu trang “{sheet}” của mẫu nhập.")])
    first = next(book.rows(sheet, MAX_COLUMNS), (0, []))
    header = first[1] if first[0] == 1 else []
    known = {_key(col.header): col for col in columns}
    if not any(_key(title) in known for title in header):
        raise FileRefused([error(sheet, 1, "", _no_header(book, sheet, known))])
    position: dict[int, Col] = {}
    problems = []
    for index, title in enumerate(header):
        key = _key(title)
        col = known.get(key)
        if not key:
            continue
        if col is None:
            hint = "Không có chỉ số thiếu hụt nào tên như vậy." if key.startswith(_key(INDICATOR_PREFIX)) else ""
            problems.append(error(sheet, 1, str(title), hint or "Cột không có trong mẫu nhập: hãy tải mẫu mới."))
        elif col in position.values():
            problems.append(error(sheet, 1, str(title), "Cột bị lặp lại."))
        else:
            position[index] = col
    for col in columns:
        if col.kind not in ("info", "answer") and not col.optional and col not in position.values():
            problems.append(error(sheet, 1, col.header, "Thiếu cột này (dòng tiêu đề phải giữ như mẫu)."))
    if problems:
        raise FileRefused(problems)
    rows: list[tuple[int, dict[str, Any]]] = []
    width = max(position) + 1
    for number, values in book.rows(sheet, width):
        if number == 1:
            continue
        record = {position[i].key: v for i, v in enumerate(values) if i in position and position[i].kind != "info"}
        if all(blank(v) for v in record.values()):
            if number > 5 * limit:  # formatted but empty rows, far below the data
                break
            continue
        if len(rows) >= limit:
            message = f"Trang “{sheet}” có hơn {formats.number(limit)} dòng; hãy chia thành nhiều tệp."
            raise FileRefused([error(sheet, number, "", message)])
        rows.append((number, record))
    return rows


def too_far(rows: int, columns: int) -> str:
    """A sheet written too far down or right (config.xlsx.SheetTooLarge): where, and how to find the stray cells."""
    row = formats.number(rows) if rows <= EXCEL_ROWS else f"quá {formats.number(EXCEL_ROWS)}"
    column = column_letters(columns) if columns <= EXCEL_COLUMNS else "quá XFD"
    return (
        f"Trang có ô dữ liệu ở quá xa vùng của mẫu (tới dòng {row}, cột {column}): hãy xoá các ô thừa ở cuối trang "
        "và bên phải (Ctrl+End đưa tới ô cuối cùng có dữ liệu), lưu lại rồi tải lên lại."
    )


def archive_refused(exc: ArchiveTooLarge | ArchiveDamaged | TooManyParts) -> str:
    """What is wrong with the zip an .xlsx is (config.xlsx counts what it really holds, not what it declares)."""
    if isinstance(exc, ArchiveTooLarge):
        megabytes = formats.number(exc.limit // (1024 * 1024))
        return (
            f"Tệp có nội dung giải nén vượt quá {megabytes} MB (dừng đọc ở phần “{exc.part[:60]}”): tệp Excel của "
            "mẫu nhập không lớn như vậy; hãy chia thành nhiều tệp, hoặc mở bằng Excel, lưu lại rồi tải lên lại."
        )
    if isinstance(exc, TooManyParts):
        return (
            f"Tệp nén gồm {formats.number(exc.count)} phần, quá {formats.number(exc.limit)} phần mà một tệp Excel "
            "của mẫu nhập có thể có; hãy tải mẫu mới và điền lại."
        )
    if not exc.part:
        return "Tệp .xlsx bị hỏng: không đọc được mục lục của tệp nén. Hãy mở tệp bằng Excel, lưu lại rồi tải lên lại."
    return (
        f"Tệp .xlsx bị hỏng: phần “{exc.part[:60]}” không khớp với kích thước hoặc mã kiểm tra (CRC) ghi trong tệp "
        "nén. Hãy mở tệp bằng Excel, lưu lại rồi tải lên lại."
    )


def read_workbook(content: bytes) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """The rows of the three sheets; a file that is not the template is refused as a whole (FileRefused)."""
    if len(content) > MAX_BYTES:
        raise FileRefused([error("", None, "", "Tệp lớn hơn 10 MB; hãy chia thành nhiều tệp.")])
    not_excel = FileRefused([error("", None, "", "Tệp không phải là tệp Excel .xlsx (hãy lưu lại dưới dạng .xlsx).")])
    try:
        book = open_workbook(io.BytesIO(content), max_unpacked=MAX_UNPACKED_BYTES, max_parts=MAX_PARTS)
    except SheetTooLarge as exc:
        raise FileRefused([error(exc.sheet, None, "", too_far(exc.rows, exc.columns))]) from exc
    except (ArchiveTooLarge, ArchiveDamaged, TooManyParts) as exc:
        raise FileRefused([error("", None, "", archive_refused(exc))]) from exc
    except (XlsxError, KeyError, OSError, ValueError, TypeError) as exc:
        raise not_excel from exc
    layout = {
        HOUSEHOLD: (HOUSEHOLD_COLUMNS, MAX_ROWS),
        MEMBER: (MEMBER_COLUMNS, MAX_MEMBER_ROWS),
        SURVEY: (survey_columns(), MAX_ROWS),
    }
    try:
        sheets = {sheet: _read_sheet(book, sheet, *layout[sheet]) for sheet in SHEETS}
    except (XlsxError, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise not_excel from exc
    finally:
        book.close()
    # a survey row with only its household (as the template comes) is a household not surveyed: not a row
    sheets[SURVEY] = [(n, r) for n, r in sheets[SURVEY] if any(not blank(v) for k, v in r.items() if k != "ref")]
    return sheets
