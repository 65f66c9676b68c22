"""Reading an API error in tests: the field errors of the envelope `{"code", "message", "fields"}` (config.errors)."""

import re
from typing import Any


def field_errors(response: Any) -> dict[str, list[str]]:
    """The errors by field of a refused request: the envelope's `fields` (a KeyError if the answer is not one)."""
    return response.json()["fields"]


def fields_named(response: Any) -> set[str]:
    """The inputs at fault by their top-level name: `members` for `members[0].national_id`, `dwelling` for
    `dwelling.floor_area_m2`."""
    return {re.split(r"[.\[]", path, maxsplit=1)[0] for path in field_errors(response)}
