"""Admin plumbing shared by the apps: the pieces a higher app adds to the admin page of a lower app's model.

`households` must not import `programs` or `support` (STYLE 1), yet its household page shows their inlines,
filters and links. The lower app builds its admin once with `ContributedAdminMixin` and an empty `Contributions`
registry; the higher apps register a `Contribution` from their own admin modules. Nothing is unregistered, and the
page is the same whichever admin module Django imports first.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Contribution:
    """What one module of a higher app adds to a lower app's admin page.

    `name`: who contributes, a module path whose first part is the app (`programs.standards`); the pieces of the
    apps come in the order of INSTALLED_APPS (the order the apps depend on each other), after the page's own.
    `inlines`: after the page's inlines. `list_filters`: {name of a filter of the page: filters placed after it}.
    `fields`: {name of a field of the page's fieldsets: read-only fields placed after it}; a field is the name of a
    model field or a function of the object (`@admin.display`), such as a line of links or buttons.
    `actions`: more actions of the list. `urls`: a function of the model admin giving more URL patterns."""

    name: str
    inlines: tuple = ()
    list_filters: Mapping[str, tuple] = field(default_factory=dict)
    fields: Mapping[str, tuple] = field(default_factory=dict)
    actions: tuple[Callable, ...] = ()
    urls: Callable[[Any], list] | None = None


class Contributions:
    """The contributions to one admin page; registering a name again replaces its contribution."""

    def __init__(self) -> None:
        self._by_name: dict[str, Contribution] = {}

    def register(self, contribution: Contribution) -> None:
        self._by_name[contribution.name] = contribution

    def __iter__(self) -> Iterator[Contribution]:
        order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
        app = lambda c: order.get(c.name.split(".")[0], len(order))  # noqa: E731
        return iter(sorted(self._by_name.values(), key=app))  # stable: registration order within an app


def _placed(own: Sequence, additions: Mapping[str, Sequence], key: Callable[[Any], str], what: str) -> list:
    """`own` with each list of `additions` inserted after the item whose `key` is the addition's name."""
    placed = list(own)
    for after, items in additions.items():
        index = next((i for i, item in enumerate(placed) if key(item) == after), None)
        if index is None:
            raise ImproperlyConfigured(f"A contribution places {what} after “{after}”, which the page does not have.")
        placed[index + 1 : index + 1] = items
    return placed


def _filter_name(item) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, tuple):  # ("field", FieldListFilter)
        return item[0]
    return getattr(item, "parameter_name", None) or item.__name__


def _field_name(item) -> str:
    if isinstance(item, str):
        return item
    return getattr(item, "__name__", "")  # a function of the object; a row of fields (a tuple) has no name


class ContributedAdminMixin:
    """A model admin built once, with its own pieces (`own_inlines`, `own_list_filter`, `own_fieldsets`,
    `own_readonly_fields`, `own_actions`) and those registered in `contributions` by higher apps. Django's
    attributes of the same names (`inlines`, `list_filter`, `fieldsets`, `readonly_fields`, `actions`) are read
    from both, so the admin's checks, pages and URLs see the whole."""

    contributions: Contributions
    own_inlines: Sequence = ()
    own_list_filter: Sequence = ()
    own_fieldsets: Sequence = ()
    own_readonly_fields: Sequence = ()
    own_actions: Sequence = ()

    @property
    def inlines(self) -> list:
        return [*self.own_inlines, *(inline for c in self.contributions for inline in c.inlines)]

    @property
    def list_filter(self) -> list:
        placed = list(self.own_list_filter)
        for contribution in self.contributions:
            placed = _placed(placed, contribution.list_filters, _filter_name, "a list filter")
        return placed

    @property
    def readonly_fields(self) -> list:
        contributed = [name for c in self.contributions for names in c.fields.values() for name in names]
        return [*self.own_readonly_fields, *contributed]

    @property
    def fieldsets(self) -> list:
        fieldsets = [(title, {**options, "fields": list(options["fields"])}) for title, options in self.own_fieldsets]
        for contribution in self.contributions:
            for after, names in contribution.fields.items():
                holder = next(
                    (options for _, options in fieldsets if after in map(_field_name, options["fields"])), None
                )
                if holder is None:
                    raise ImproperlyConfigured(f"A contribution places fields after “{after}”, not on the page.")
                holder["fields"] = _placed(holder["fields"], {after: names}, _field_name, "a field")
        return fieldsets

    @property
    def actions(self) -> list:
        return [*self.own_actions, *(action for c in self.contributions for action in c.actions)]

    def get_urls(self):
        contributed = [pattern for c in self.contributions if c.urls is not None for pattern in c.urls(self)]
        return [*contributed, *super().get_urls()]
