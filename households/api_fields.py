"""Fields the registry's API serializers share with the apps above it (support answers the same optional choices)."""

from rest_framework import serializers


class OptionalChoiceField(serializers.ChoiceField):
    """A choice that may be unset: the unset value is answered as null (the enum of the schema has no ""), and null
    or "" sent is stored unset."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(choices, **kwargs)

    def validate_empty_values(self, data):
        if data is None and not self.read_only:
            return (True, "")
        return super().validate_empty_values(data)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)
