"""The API's JSON parser: DRF's, bounded against a hostile body (STYLE 34).

DRF's parser hands the body to `json.load`, which turns `1e309` into infinity (an `OverflowError` in the
serializer: a 500) and recurses once per nesting level (a `RecursionError` at ~1,000: a 500). This one counts the
nesting with one linear scan of the text before any parsing (400 above `API_JSON_MAX_DEPTH`) and refuses `NaN`,
`Infinity`, `-Infinity` and numbers too large for a float (400). Every refusal answers like a malformed body does,
with the API's error envelope: code `parse_error` and the reason, in Vietnamese, as its message (config.errors).
The body's size is bounded before it gets here: DRF reads a JSON body through `request.body`, which Django refuses
above `DATA_UPLOAD_MAX_MEMORY_SIZE` (a 413, `config.errors`).
"""

import json
import math
import re
from typing import Any, NoReturn

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# What the nesting scan must see: an escape (two characters, so an escaped quote does not end a string), a quote,
# a bracket. Each alternative has a fixed length, so the scan is linear whatever the body (no backtracking).
_STRUCTURE = re.compile(r'\\.|["\[\]{}]', re.DOTALL)
_OPENING = frozenset("[{")
_CLOSING = frozenset("]}")
_SHOWN = 20  # characters of an offending number quoted back in the message


class _Refused(ValueError):
    """A body refused for a reason of ours, raised from inside `json.loads` (through its hooks)."""


def nesting_depth(text: str, limit: int) -> int:
    """The deepest nesting of arrays and objects in `text`, outside strings; stops counting past `limit`."""
    depth = deepest = 0
    in_string = False
    for match in _STRUCTURE.finditer(text):
        part = match.group()
        if part == '"':
            in_string = not in_string
        elif in_string or len(part) == 2:
            continue
        elif part in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif part in _CLOSING and depth:  # an unmatched one: the parser stops there, the scan counts on from 0
            depth -= 1
    return deepest


def _refuse_constant(literal: str) -> NoReturn:
    raise _Refused(f"Nội dung JSON có giá trị {literal} không hợp lệ: chỉ chấp nhận số hữu hạn.")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        shown = literal if len(literal) <= _SHOWN else literal[:_SHOWN] + "…"
        raise _Refused(f"Nội dung JSON có số {shown} vượt quá giới hạn của số thực: chỉ chấp nhận số hữu hạn.")
    return value


def loads(text: str) -> Any:
    """`json.loads` of an API body with the bounds above; raises `ParseError` with the reason."""
    limit = settings.API_JSON_MAX_DEPTH
    # Counting the openers (in C) spares the scan for any body that cannot be too deep, most of them.
    if text.count("[") + text.count("{") > limit and nesting_depth(text, limit) > limit:
        raise ParseError(f"Nội dung JSON lồng nhau quá sâu: tối đa {limit} cấp mảng hoặc đối tượng.")
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _Refused as exc:
        raise ParseError(str(exc)) from None
    except json.JSONDecodeError as exc:  # malformed JSON: where, in Vietnamese (Python says why in English)
        raise ParseError(f"Nội dung JSON không hợp lệ (dòng {exc.lineno}, cột {exc.colno}).") from None
    except ValueError:  # a whole number with more digits than Python converts
        raise ParseError("Nội dung JSON có số quá nhiều chữ số.") from None


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})  # a text codec only (DRF refuses bz2_codec...)
        try:
            text = stream.read().decode(encoding)
        except (LookupError, ValueError):
            raise ParseError(f"Nội dung JSON không đọc được theo bảng mã {encoding}.") from None
        return loads(text)
