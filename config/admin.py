"""Admin plumbing shared by the apps: the bridge from the admin to the services, and the pieces a higher app adds
to the admin page of a lower app's model.

The bridge (STYLE 17, 32): admin forms only check their inputs; the admin's save path (`save_model`,
`save_related`, an action, a small form page) calls the service; a `DomainError` the service raises becomes an
error of the form on the field it names (`add_domain_error`). On the add and change pages `ServiceAdminMixin`
does the last part: the view's transaction is rolled back, so nothing is written, and the page comes back with the
user's input and the service's message.

The contributions: `households` must not import `programs` or `support` (STYLE 1), yet its household page shows
their inlines, filters and links. The lower app builds its admin once with `ContributedAdminMixin` and an empty
`Contributions` registry; the higher apps register a `Contribution` from their own admin modules. Nothing is
unregistered, and the page is the same whichever admin module Django imports first.
"""

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from config.errors import DomainError

# An id typed or carried in a query string or a form: ASCII digits only ("²".isdigit() is true and int("٤٠") reads
# Arabic-Indic digits), at most 18 of them (a bigint). Every admin page and document view checks ids with it.
ID_DIGITS = re.compile(r"[0-9]{1,18}")

REFUSAL = "service_refusal"  # the request's attribute holding the service's error while the page is shown again


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """The service's error on the field it names when the form shows that field, else on the whole form.

    A form may rename the service's fields to its own (`field_aliases`, e.g. `{"type": "intervention_type"}`)
    and may keep some of its fields out of it (`domain_error_fields`: only these take a service's error)."""
    name = getattr(form, "field_aliases", {}).get(error.field, error.field)
    allowed = getattr(form, "domain_error_fields", None)
    shown = name in form.fields and not form.fields[name].widget.is_hidden and (allowed is None or name in allowed)
    form.add_error(name if shown else None, error.message)


NEXT = "next"  # the query parameter naming the page to go back to after a form (`return_address`)


def return_address(request) -> str | None:
    """The admin page a form was opened from, to go back to once it is saved (`?next=/admin/...`); None for anything
    else (another site, a scheme, a page outside the admin), so a link cannot send the user away."""
    target = request.GET.get(NEXT, "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith(reverse("admin:index")) else None


def adopt(obj: models.Model, saved: models.Model) -> None:
    """The admin's object becomes the row the service wrote, for the admin's response and Django's history."""
    obj.pk = saved.pk
    obj.refresh_from_db()


class ServiceForm:
    """Mixed into the admin's form by `ServiceAdminMixin.get_form`.

    `model_inputs`: the model's fields on the form, declared on it and listed in its `Meta.exclude` (Django's own
    way to keep a ModelForm from validating the model on them), so the form checks each input and the service
    checks them together, with its own messages; their initial values still come from the object.
    `refusal`: the service's error of the first attempt, shown again on its field."""

    model_inputs: tuple[str, ...] = ()
    refusal: DomainError | None = None

    def __init__(self, *args, instance=None, initial=None, **kwargs):
        if instance is not None and self.model_inputs:
            initial = {**model_to_dict(instance, fields=self.model_inputs), **(initial or {})}
        super().__init__(*args, instance=instance, initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.refusal is not None:
            add_domain_error(self, self.refusal)
        return cleaned


class ServiceAdminMixin:
    """A model admin whose save path calls services (in `save_model`, or `save_related` when the related rows are
    written with the object). A `DomainError` raised there rolls back the view's transaction; the page is then
    built again from the same input, with the error on the form, and nothing is written.

    `validate_model`: False (the default) when the service is the one to check the inputs together; True keeps
    Django's validation of the model from the form (field by field, unique values, constraints), for the plain
    editing pages of reference data and accounts."""

    validate_model = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            if request.method != "POST" or getattr(request, REFUSAL, None) is not None:
                raise
            setattr(request, REFUSAL, error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)  # Django's UserAdmin takes it so
        refusal = getattr(request, REFUSAL, None)
        inputs = () if self.validate_model else _model_inputs(form_class)
        if not inputs and refusal is None:
            return form_class
        attrs: dict[str, Any] = {"refusal": refusal, "model_inputs": inputs}
        if inputs:
            excluded = [*(getattr(form_class.Meta, "exclude", None) or ()), *inputs]
            attrs["Meta"] = type("Meta", (form_class.Meta,), {"exclude": excluded})
            attrs.update({name: form_class.base_fields[name] for name in inputs})
        derived = type(form_class.__name__, (ServiceForm, form_class), attrs)
        derived.base_fields = {name: derived.base_fields[name] for name in form_class.base_fields}  # same order
        return derived


def _model_inputs(form_class) -> tuple[str, ...]:
    model = form_class.Meta.model
    names = {f.name for f in model._meta.get_fields()}
    return tuple(name for name in form_class.base_fields if name in names)


# --- contributions to another app's admin page ---------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What one module of a higher app adds to a lower app's admin page.

    `name`: who contributes, a module path whose first part is the app (`programs.standards`); the pieces of the
    apps come in the order of INSTALLED_APPS (the order the apps depend on each other), after the page's own.
    `inlines`: after the page's inlines. `list_filters`: {name of a filter of the page: filters placed after it}.
    `fields`: {name of a field of the page's fieldsets: read-only fields placed after it}; a field is the name of a
    model field or a function of the object (`@admin.display`), such as a line of links or buttons.
    `actions`: more actions of the list. `urls`: a function of the model admin giving more URL patterns.
    `tools`: a function of the request and the object giving the buttons at the top of the object's page (`Tool`),
    only those the user's rights allow."""

    name: str
    inlines: tuple = ()
    list_filters: Mapping[str, tuple] = field(default_factory=dict)
    fields: Mapping[str, tuple] = field(default_factory=dict)
    actions: tuple[Callable, ...] = ()
    urls: Callable[[Any], list] | None = None
    tools: Callable[[Any, Any], Sequence["Tool"]] | None = None


@dataclass(frozen=True)
class Tool:
    """A button at the top of an object's page (config/templates/admin/change_form_object_tools.html), leading to a
    page the user may open: `main` marks the page's main action, drawn first and filled; the actions come before
    the links to lists (`listing`)."""

    label: str
    url: str
    main: bool = False
    listing: bool = False  # a link to a list (the household's surveys...), after the actions


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

    def own_tools(self, request, obj) -> Sequence[Tool]:
        return ()

    def page_tools(self, request, obj) -> list[Tool]:
        """The buttons at the top of the object's page, the page's own then the contributions': the main actions,
        the other actions, the links to lists."""
        tools = [
            *self.own_tools(request, obj),
            *(t for c in self.contributions if c.tools for t in c.tools(request, obj)),
        ]
        return sorted(tools, key=lambda tool: (not tool.main, tool.listing))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["page_tools"] = self.page_tools(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        contributed = [pattern for c in self.contributions if c.urls is not None for pattern in c.urls(self)]
        return [*contributed, *super().get_urls()]
