"""Reading an API error in tests: the field errors of the envelope `{"code", "message", "fields"}` (config.errors)."""

from typing import Any


def field_errors(response: Any) -> dict[str, Any]:
    """The errors by field of a refused request."""
    body = response.json()
    return body["fields"] if isinstance(body.get("fields"), dict) else body
