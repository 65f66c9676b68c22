"""Reading an API error in tests: the field errors of the envelope `{"code", "message", "fields"}` (config.errors)."""

from typing import Any


def field_errors(response: Any) -> dict[str, list[str]]:
    """The errors by field of a refused request: the envelope's `fields` (a KeyError if the answer is not one)."""
    return response.json()["fields"]
