"""The change log as people read it (STYLE 33): an audit entry's action as a Vietnamese phrase, and its changes as
lines "Trường — trước → sau" with the field's label, the choices' labels, dates as dd/mm/yyyy, money as
"1.200.000 đ", yes and no as Có and Không, and rows by their names (the village's name, not its id), looked up
once per page for all the entries shown.

`households` must not know the words of `programs` and `support` (STYLE 1): each app says what its own action codes
and change keys mean with `describe_audit`, from its own admin modules, as the higher apps contribute to the
household page. A key that is a field of the entry's model needs nothing: its label, choices and kind come from the
field. `describe_entries` is the one formatter every page showing audit entries calls.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from config.formats import money

YES, NO = "Có", "Không"
EMPTY = "(trống)"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


# --- how values read -----------------------------------------------------------------------------------------


def yes_no(value: Any) -> str:
    return YES if value else NO


def day(value: Any) -> str:
    """An ISO date ("2026-10-15", as the log stores dates) as dd/mm/yyyy; anything else as it reads."""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    return plain(value)


def moment(value: Any) -> str:
    """An ISO date and time as dd/mm/yyyy HH:MM in the local time zone."""
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        parsed = datetime.datetime.fromisoformat(value)
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return parsed.strftime("%d/%m/%Y %H:%M")
    return day(value)


def vnd(value: Any) -> str:
    """An amount in VND as "1.200.000 đ"."""
    if isinstance(value, bool) or not isinstance(value, int):
        return plain(value)
    return money(value)


def decimal(value: Any) -> str:
    """A decimal (the log keeps it as text, "12.50") with the Vietnamese comma: "12,50"."""
    try:
        return str(Decimal(str(value))).replace(".", ",")
    except InvalidOperation:
        return plain(value)


def plain(value: Any) -> str:
    """Any other value: lists joined, ISO dates as dd/mm/yyyy, yes/no, nothing as "(trống)"."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list | tuple):
        return ", ".join(plain(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {plain(item)}" for key, item in value.items())
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return day(value)
    return str(value)


def labelled(labels: Mapping[str, Any]) -> Callable[[Any], str]:
    """Codes by their labels (a choice, a list of codes): each code not in `labels` as written."""

    def show(value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(show(item) for item in value) if value else EMPTY
        if value is None or value == "":
            return EMPTY
        return str(labels.get(value, value))

    return show


# --- what a key of the changes means -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """Values that name rows of `model` by `field` (its id by default): shown by the row's `shown` attribute, or
    `shown(row)` (its text, `str(row)`, by default). All the values of a page are looked up in one query per
    model."""

    model: type[models.Model]
    field: str = "pk"
    shown: str | Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Key:
    """How one key of an entry's changes reads: its label, then how its values are shown (`show`, or `names` for
    values that name rows). `hidden`: a key of the machine (a row's version) left out of the page. A key registered
    ending in "." (e.g. "follow_up.") stands for every key it starts: `label_of` gives each one's label."""

    label: str
    show: Callable[[Any], str] = plain
    names: Names | None = None
    hidden: bool = False
    label_of: Callable[[str], str] | None = None

    @classmethod
    def of_field(cls, field: models.Field, label: str | None = None) -> "Key":
        """A key that holds the values of a model field (maybe of another model): its label, choices and kind."""
        label = label or capfirst(str(field.verbose_name))
        if isinstance(field, models.PositiveBigIntegerField):  # money is integer VND in these (STYLE 14)
            return cls(label.removesuffix(" (đồng)"), show=vnd)
        if field.is_relation and field.many_to_one:
            return cls(label, names=Names(field.related_model))
        if field.choices:
            return cls(label, show=labelled(dict(field.flatchoices)))
        if isinstance(field, models.BooleanField):
            return cls(label, show=yes_no)
        if isinstance(field, models.DateTimeField):
            return cls(label, show=moment)
        if isinstance(field, models.DateField):
            return cls(label, show=day)
        if isinstance(field, models.DecimalField):
            return cls(label, show=decimal)
        return cls(label)


def field_key(model: type[models.Model], name: str, label: str | None = None) -> Key:
    """`Key.of_field` of `model`'s field `name`, for a key that holds a field of another model than the entry's."""
    return Key.of_field(model._meta.get_field(name), label)


class ChangeLog:
    """The words of the log: the label of each action code, and the keys of the changes that are not a field of the
    entry's model (or read otherwise than it), per model, or per action where one action writes a key its own way
    (`action_keys`)."""

    def __init__(self) -> None:
        self.actions: dict[str, str] = {}
        self._keys: dict[tuple[str, str], Key] = {}

    def register(
        self,
        *,
        actions: Mapping[str, str] | None = None,
        keys: Mapping[type[models.Model], Mapping[str, Key]] | None = None,
        action_keys: Mapping[str, Mapping[str, Key]] | None = None,
    ) -> None:
        self.actions.update(actions or {})
        for model, by_name in (keys or {}).items():
            for name, key in by_name.items():
                self._keys[(model._meta.label_lower, name)] = key
        for action, by_name in (action_keys or {}).items():
            for name, key in by_name.items():
                self._keys[(action, name)] = key

    def action_label(self, code: str) -> str:
        return self.actions.get(code, code)

    def key(self, model: type[models.Model] | None, name: str, action: str = "") -> Key:
        if (action, name) in self._keys:
            return self._keys[(action, name)]
        label = model._meta.label_lower if model is not None else ""
        registered = self._keys.get((label, name))
        if registered is not None:
            return registered
        prefix = next((k for (m, k) in self._keys if m == label and k.endswith(".") and name.startswith(k)), None)
        if prefix is not None:
            family = self._keys[(label, prefix)]
            shown = family.label_of(name.removeprefix(prefix)) if family.label_of else family.label
            return Key(shown, show=family.show, names=family.names, hidden=family.hidden)
        if model is not None:
            field = _field_named(model, name)
            if field is not None:
                return Key.of_field(field)
        return Key(name)


def _field_named(model: type[models.Model], name: str) -> models.Field | None:
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    return None


CHANGE_LOG = ChangeLog()


def describe_audit(
    *,
    actions: Mapping[str, str] | None = None,
    keys: Mapping[type[models.Model], Mapping[str, Key]] | None = None,
    action_keys: Mapping[str, Mapping[str, Key]] | None = None,
) -> None:
    """An app's words for the log: its action codes' labels and its keys (see `ChangeLog`)."""
    CHANGE_LOG.register(actions=actions, keys=keys, action_keys=action_keys)


# --- the lines of the entries of one page ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    """One change as a person reads it; `before` is None when there was nothing before (a row created)."""

    label: str
    before: str | None
    after: str

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.label} — {self.after}"
        return f"{self.label} — {self.before} → {self.after}"


@dataclass(frozen=True)
class Described:
    action: str
    lines: tuple[ChangeLine, ...]


def _values(value: Any) -> Iterable[Any]:
    if isinstance(value, list | tuple):
        return [item for item in value if item is not None]
    return [] if value is None or value == "" else [value]


def _position(model: type[models.Model] | None, name: str) -> int:
    """Where a key comes in an entry's lines: the fields in the model's order, then the other keys (the log's JSON
    does not keep the order they were written in)."""
    fields = [f.name for f in model._meta.concrete_fields] if model is not None else []
    field = _field_named(model, name) if model is not None else None
    return fields.index(field.name) if field is not None else len(fields)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def describe_entries(entries: Iterable[Any], log: ChangeLog = CHANGE_LOG) -> dict[int, Described]:
    """The action and change lines of each entry (by its id): one query per model whose rows the changes name.

    An entry's `changes` is {key: [before, after]}. Keys hidden by the vocabulary and changes from nothing to
    nothing are left out. An entry whose every `after` is empty records a row removed: its lines show what it was."""
    entries = list(entries)
    keyed: list[tuple[Any, list[tuple[Key, Any, Any]]]] = []
    wanted: dict[Names, set[str]] = defaultdict(set)
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        items = []
        for name, pair in sorted((entry.changes or {}).items(), key=lambda item: _position(model, item[0])):
            before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            key = log.key(model, name, entry.action)
            if key.hidden or (_empty(before) and _empty(after)) or before == after:
                continue
            if key.names is not None:
                wanted[key.names].update(str(v) for v in (*_values(before), *_values(after)))
            items.append((key, before, after))
        keyed.append((entry, items))
    found = {names: _look_up(names, values) for names, values in wanted.items()}

    def shown(key: Key, value: Any) -> str:
        if key.names is None:
            return key.show(value)
        if _empty(value):
            return EMPTY
        rows = found[key.names]
        return ", ".join(rows.get(str(v), str(v)) for v in _values(value))

    described = {}
    for entry, items in keyed:
        removed = bool(items) and all(_empty(after) for _, _, after in items)
        lines = []
        for key, before, after in items:
            if removed:
                lines.append(ChangeLine(key.label, None, shown(key, before)))
            elif _empty(before):
                lines.append(ChangeLine(key.label, None, shown(key, after)))
            else:
                lines.append(ChangeLine(key.label, shown(key, before), shown(key, after)))
        described[entry.pk] = Described(log.action_label(entry.action), tuple(lines))
    return described


def _look_up(names: Names, values: set[str]) -> dict[str, str]:
    """The rows `names` points at, by the text of their value: one query."""
    field = names.model._meta.pk.name if names.field == "pk" else names.field
    if field == names.model._meta.pk.name:
        values = {v for v in values if v.isdecimal()}  # ids only: a text in an id key names no row
    if not values:
        return {}
    rows = names.model._default_manager.select_related().filter(**{f"{field}__in": values})

    def text(row: models.Model) -> str:
        if callable(names.shown):
            return names.shown(row)
        return str(getattr(row, names.shown) if names.shown else row)

    return {str(getattr(row, field)): text(row) for row in rows}
