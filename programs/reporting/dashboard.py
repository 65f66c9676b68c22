"""The poverty-reduction dashboard in the admin ("Bảng điều khiển giảm nghèo"; Part B §6.2, §4.3).

One page for an area within the user's scope and a year: counts and rates with their change against the year
before, the targets on track or not, and charts drawn on the server as inline SVG (pygal, no JavaScript): rates
over the years, deprivations among poor and near-poor households, the causes of poverty of the poor, communes ranked
by rate, the movement of the year as a waterfall; then the tables behind them. It reads the figures the API reads
(`selectors.figures_by_year`, `commune_ranking`, `present_figures`), pre-aggregated per commune and year by
`statistics.refresh_figures`.
Users with the right to manage statistics also get a button that queues a recomputation of their area
(`tasks.refresh_figures`) and a form that sets a target (`statistics.set_target`).

The page hangs on the admin of the targets (`PovertyTarget`, a read-only list that also gives the admin home its
link to the page): /admin/programs/povertytarget/dashboard/.
"""

import re
from decimal import Decimal
from functools import partial

import pygal
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from pygal.style import Style

from config.admin import ID_DIGITS, add_domain_error
from config.errors import DomainError
from config.formats import number
from households import rules as access
from households.admin import RightsAdminMixin
from households.models import Area
from households.rules import Level
from programs import tasks
from programs.models import PovertyTarget, TargetKind, TargetMeasure
from programs.reporting import rules as accounting
from programs.reporting import selectors
from programs.reporting import services as statistics

TITLE = "Bảng điều khiển giảm nghèo"
LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
TOP_COMMUNES = 30  # bars of the ranking chart; the table below lists them all
_DECIMAL = re.compile(r"([0-9]{1,3})(?:[.,]([0-9]{1,2}))?")  # 2,5 or 2.50 (% or points)
SHORT_MOVES = {  # the waterfall's bars; the table below carries accounting.MOVEMENT_LABELS
    "to_near_poor": "Sang cận nghèo",
    "to_poor": "Sang nghèo",
    "escaped": "Thoát ra",
    "other_decrease": "Giảm khác",
    "from_near_poor": "Từ cận nghèo",
    "from_poor": "Từ nghèo",
    "relapsed": "Tái nghèo",
    "newly": "Phát sinh mới",
    "other_increase": "Tăng khác",
}
STATUS_NAMES = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}
COLORS = {"poor": "#ba2121", "near_poor": "#e08e0b", "multidimensional": "#417690", "total": "#417690"}
UP, DOWN = "#2e7d32", "#ba2121"  # increases and decreases of a list in the waterfall


# --- numbers as written in Vietnam: 1.234 households, 13,33% ---------------------------------------------------


def num(value: float | None) -> str:
    return "—" if value is None else number(round(value))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",") + "%"


def points(value: float | None) -> str:
    """A change in percentage points, signed: +1,25 / −0,50 / 0,00."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + f"{abs(value):.2f}".replace(".", ",")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def shown(row: dict, **extra) -> dict:
    """A row of figures as the page shows it: counts as 1.234, rates and shares as 13,33%, the rest as is."""
    return {
        key: pct(value) if key.endswith(("_rate", "_share")) else num(value) if type(value) is int else value
        for key, value in row.items()
    } | extra


def trend(value: float | None) -> str:
    """The CSS class of a change of a rate: down is good."""
    return "" if not value else "good" if value < 0 else "bad"


# --- forms --------------------------------------------------------------------------------------------------------


def scoped_areas(user):
    return Area.objects.filter(level__in=LEVELS).in_charge_of(user)


class Autocomplete(AutocompleteSelect):
    """The admin's autocomplete; a sent value that is not an id shows as nothing selected (never a 500)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if ID_DIGITS.fullmatch(str(v))], attr)


class ScopedAreaField(forms.ModelChoiceField):
    """A province, district or commune within the user's scope; another one is refused by name, never a 500."""

    def __init__(self, user, *, widget=None, **kwargs):
        if widget is None and user.has_country_scope:  # 34 provinces and 3,321 communes: searched, not listed
            widget = Autocomplete(PovertyTarget._meta.get_field("area"), admin.site)
        super().__init__(
            queryset=scoped_areas(user).order_by("path"), label=_("Địa bàn"), widget=widget or forms.Select, **kwargs
        )
        if not user.has_country_scope:  # indented below the user's own area
            top = user.area.path.count("/") if user.area else 0
            self.label_from_instance = lambda area: f"{'— ' * (area.path.count('/') - top)}{area.name}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not ID_DIGITS.fullmatch(str(value)):
            raise ValidationError("Địa bàn không hợp lệ.", code="invalid_choice")
        area = self.queryset.filter(pk=int(value)).first()
        if area is not None:
            return area
        other = Area.objects.filter(pk=int(value), level__in=LEVELS).first()
        if other is not None:
            raise ValidationError(f"“{other.name}” nằm ngoài địa bàn bạn phụ trách.", code="out_of_scope")
        raise ValidationError("Không có địa bàn này (chọn một tỉnh, huyện hoặc xã).", code="invalid_choice")


class DashboardForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"area": ScopedAreaField(user), **self.fields}
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", "Năm gần nhất có số liệu")] + [
            (year, year) for year in range(this_year, statistics.FIRST_YEAR - 1, -1)
        ]
        self.fields["year"].error_messages["invalid_choice"] = f"Năm phải từ {statistics.FIRST_YEAR} đến {this_year}."


class TargetForm(forms.Form):
    year = forms.CharField(label=_("Năm"), max_length=4, widget=forms.TextInput(attrs={"size": 5}))
    measure = forms.ChoiceField(label=_("Chỉ tiêu"), choices=TargetMeasure.choices)
    kind = forms.ChoiceField(label=_("Loại mục tiêu"), choices=TargetKind.choices)
    value = forms.CharField(
        label=_("Giá trị"), max_length=6, help_text=_("% hoặc điểm %, ví dụ 2,5"), widget=forms.TextInput({"size": 6})
    )
    source = forms.CharField(label=_("Căn cứ"), max_length=200, required=False, widget=forms.TextInput({"size": 40}))
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"area": ScopedAreaField(user, widget=forms.HiddenInput), **self.fields}

    def clean_year(self) -> int:
        if not re.fullmatch(r"[0-9]{4}", self.cleaned_data["year"]):
            raise ValidationError("Nhập năm bằng bốn chữ số, ví dụ 2026.")
        return int(self.cleaned_data["year"])

    def clean_value(self) -> Decimal:
        match = _DECIMAL.fullmatch(self.cleaned_data["value"].strip())
        if match is None:
            raise ValidationError("Nhập một số, tối đa hai chữ số thập phân, ví dụ 2,5.")
        return Decimal(f"{match[1]}.{match[2] or '0'}")

    @classmethod
    def initial_for(cls, target: PovertyTarget) -> dict:
        """The form filled with a target to change (its version: a change made meanwhile is refused)."""
        fields = {name: getattr(target, name) for name in ("year", "measure", "kind", "source", "version")}
        return fields | {"value": f"{target.value:.2f}".replace(".", ",")}

    def submit(self, user) -> PovertyTarget:
        data = dict(self.cleaned_data)
        data["area_id"] = data.pop("area").pk
        return statistics.set_target(actor=user, **data)


# --- charts: pygal, rendered on the server, inline SVG with no script ------------------------------------------


def _plain(root):
    """pygal's SVG without its script (its tooltips need JavaScript), each bar and dot with a native tooltip, and no
    zero printed on a bar (it would sit on the axis, over the category's label; the tooltip and the table keep it:
    pygal's own `print_zeroes` only knows a zero written "0")."""
    for parent in root.iter():
        for child in list(parent):
            if str(child.tag).rpartition("}")[2] == "script":
                parent.remove(child)
    for node in root.iter():
        descs = {d.get("class"): d.text for d in node if str(d.tag).rpartition("}")[2] == "desc"}
        trigger = next((c for c in node if "tooltip-trigger" in (c.get("class") or "")), None)
        if descs.get("value") and trigger is not None:
            tooltip = trigger.makeelement("title", {})
            tooltip.text = f"{descs['x_label']}: {descs['value']}" if descs.get("x_label") else descs["value"]
            trigger.append(tooltip)
        if node.get("class") == "value" and node.text == pct(0):
            node.text = ""
    return root


def _chart(kind, *, colors, height=360, **options):
    style = Style(
        font_family='"Segoe UI", system-ui, Roboto, "Helvetica Neue", Arial, sans-serif',
        background="transparent",
        plot_background="transparent",
        colors=tuple(colors),
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=11,
        tooltip_font_size=12,
        no_data_font_size=16,
    )
    config = {
        "width": 860,
        "height": height,
        "style": style,
        "js": [],  # no external script, no CDN
        "disable_xml_declaration": True,
        "no_data_text": "Không có số liệu",
        "legend_at_bottom": True,
        "truncate_legend": -1,
        "truncate_label": -1,
        "value_formatter": pct,
        "margin": 12,
        **options,
    }
    chart = kind(**config)
    chart.add_xml_filter(_plain)
    return chart


def _svg(chart) -> str:
    return mark_safe(chart.render(is_unicode=True))  # noqa: S308 — pygal escapes every text it writes


def rates_chart(tallies, years: list[int]) -> str:
    colors = [COLORS[m] for m in ("poor", "near_poor", "multidimensional")]
    # Grouped bars, not lines: equal rates (8,33% poor and 8,33% near-poor) would print their labels on one spot
    chart = _chart(pygal.Bar, colors=colors)
    chart.x_labels = [str(year) for year in years]
    chart.include_x_axis = True
    chart.print_values = True
    for measure, label in (
        ("poor", "Tỷ lệ hộ nghèo"),
        ("near_poor", "Tỷ lệ hộ cận nghèo"),
        ("multidimensional", "Tỷ lệ nghèo đa chiều"),
    ):
        chart.add(label, [accounting.measure_rate(tallies[y], measure) if y in tallies else None for y in years])
    return _svg(chart)


def deprivation_chart(rows: list[dict]) -> str:
    rows = list(reversed(rows))  # pygal draws the first label at the bottom: the most common on top
    chart = _chart(pygal.HorizontalBar, colors=[COLORS["poor"], COLORS["near_poor"]], height=110 + 38 * len(rows))
    chart.x_labels = [cap(row["label"]) for row in rows]
    chart.print_values = True
    chart.include_x_axis = True
    chart.add("Trong số hộ nghèo", [row["poor_share"] for row in rows])
    chart.add("Trong số hộ cận nghèo", [row["near_poor_share"] for row in rows])
    return _svg(chart)


def cause_chart(rows: list[dict]) -> str:
    """The share of poor households per cause of poverty, the most common on top; the households without a cause
    recorded at the bottom."""
    causes = sorted((r for r in rows if r["cause"] != accounting.NO_CAUSE), key=lambda r: -r["poor"])
    rows = list(reversed(causes + [r for r in rows if r["cause"] == accounting.NO_CAUSE]))
    chart = _chart(pygal.HorizontalBar, colors=[COLORS["poor"]], height=90 + 30 * len(rows), show_legend=False)
    chart.x_labels = [cap(row["label"]) for row in rows]
    chart.print_values = True
    chart.include_x_axis = True
    chart.add("Trong số hộ nghèo", [row["poor_share"] for row in rows])
    return _svg(chart)


def ranking_chart(communes: list[dict]) -> str:
    top = list(reversed(communes[:TOP_COMMUNES]))
    chart = _chart(pygal.HorizontalBar, colors=[COLORS["poor"]], height=100 + 24 * len(top), show_legend=False)
    chart.x_labels = [row["name"] for row in top]
    chart.print_values = True
    chart.include_x_axis = True
    chart.add("Tỷ lệ hộ nghèo", [row["poor_rate"] for row in top])
    return _svg(chart)


def _ticks(top: int) -> list[int]:
    """Whole numbers for an axis of household counts: 0 to at least `top` in at most 10 steps of 1, 2, 5, 10…"""
    step = 1
    while True:
        for size in (step, 2 * step, 5 * step):
            if top <= 10 * size:
                return list(range(0, top + size, size))
        step *= 10


def waterfall_chart(move: dict) -> str:
    """Start, each decrease (down), each increase (up), end: a stacked bar whose first, transparent series
    lifts each step to where the running count stands. Zeros print nothing (pygal draws a missing value as 0)."""
    steps = [("Đầu năm", 0, move["start"], 0, 0)]
    level = move["start"]
    for step in move["decreases"]:
        level -= step["count"]
        steps.append((SHORT_MOVES[step["key"]], level, 0, step["count"], 0))
    for step in move["increases"]:
        label = "Tái cận nghèo" if (step["key"], move["status"]) == ("relapsed", "near_poor") else None
        steps.append((label or SHORT_MOVES[step["key"]], level, 0, 0, step["count"]))
        level += step["count"]
    steps.append(("Cuối năm", 0, move["end"], 0, 0))
    labels, base, totals, downs, ups = zip(*steps, strict=True)
    chart = _chart(pygal.StackedBar, colors=["rgba(0, 0, 0, 0)", COLORS["total"], DOWN, UP], width=620, height=380)
    chart.x_labels = labels
    chart.x_label_rotation = 25
    chart.y_labels = _ticks(max(max(b + t + d + u for _, b, t, d, u in steps), 1))
    chart.print_values = True
    chart.value_formatter = num
    chart.add(None, base, formatter=lambda value: "")
    chart.add("Đầu năm, cuối năm", totals, formatter=lambda value: num(value) if value else "")
    chart.add("Giảm", downs, formatter=lambda value: f"−{num(value)}" if value else "")
    chart.add("Tăng", ups, formatter=lambda value: f"+{num(value)}" if value else "")
    return _svg(chart)


# --- the page --------------------------------------------------------------------------------------------------


def _target_rows(checks: list[dict], targets: list[PovertyTarget]) -> list[dict]:
    rows = []
    for check, target in zip(checks, targets, strict=True):
        label = accounting.MEASURE_LABELS[check["measure"]]
        if check["kind"] == TargetKind.MAX_RATE:
            goal, actual = f"không quá {pct(check['value'])}", pct(check["actual"])
        else:
            goal = f"giảm ít nhất {points(check['value']).lstrip('+')} điểm % so với năm trước"
            change = check["actual"]
            # the verb carries the direction: "giảm 1,18" / "tăng 8,33", not "giảm +1,18"
            actual = (
                "—"
                if change is None
                else f"{'giảm' if change >= 0 else 'tăng'} {points(abs(change)).lstrip('+')} điểm %"
            )
        state = {True: "Đạt", False: "Chưa đạt", None: "Chưa đủ số liệu"}[check["on_track"]]
        css = {True: "good", False: "bad", None: "none"}[check["on_track"]]
        rows.append({"label": cap(label), "goal": goal, "actual": actual, "state": state, "css": css, "pk": target.pk})
    return rows


def _summary_rows(figures: dict, counts, previous) -> list[dict]:
    def rate_row(label, measure, count, whole=None):
        before = accounting.measure_rate(previous, measure) if previous else None
        change = figures["change"][measure]
        return {
            "label": label,
            "count": num(count) if whole is None else f"{num(count)} / {num(whole)}",
            "rate": pct(accounting.measure_rate(counts, measure)),
            "before": pct(before),
            "change": points(change),
            "css": trend(change),
        }

    households_before = previous.get("households") if previous else None
    return [
        {"label": "Tổng số hộ", "count": num(figures["households"]), "rate": "", "before": num(households_before)}
        | {"change": "", "css": ""},
        rate_row("Hộ nghèo", "poor", figures["poor"]),
        rate_row("Hộ cận nghèo", "near_poor", figures["near_poor"]),
        rate_row("Nghèo đa chiều (nghèo + cận nghèo)", "multidimensional", figures["poor"] + figures["near_poor"]),
        rate_row(
            "Hộ nghèo dân tộc thiểu số / hộ DTTS",
            "minority_poor",
            counts.get("group.minority.poor", 0),
            counts.get("group.minority.households", 0),
        ),
    ]


def _movement_rows(move: dict) -> dict:
    decreases, increases = sum(s["count"] for s in move["decreases"]), sum(s["count"] for s in move["increases"])
    return {
        "status": move["status"],
        "name": STATUS_NAMES[move["status"]],
        "start": num(move["start"]),
        "decreases": [shown(step) for step in move["decreases"]],
        "increases": [shown(step) for step in move["increases"]],
        "total_decreases": num(decreases),
        "total_increases": num(increases),
        "computed_end": num(move["start"] - decreases + increases),
        "end": num(move["end"]),
        "balances": move["balances"],
        "chart": waterfall_chart(move),
    }


def figures_context(area: Area, year: int, tallies) -> dict:
    """What the page shows of an area's year, formatted; `{"empty": True}` when it has no figures."""
    counts, previous = tallies.get(year), tallies.get(year - 1)
    computed = selectors.computed_at(area, year)
    if not counts or not counts.get("households"):
        return {"empty": True, "computed_at": computed}
    targets = list(PovertyTarget.objects.filter(area=area, year=year).order_by("measure", "kind", "pk"))
    checked = [accounting.Target(measure=t.measure, kind=t.kind, value=float(t.value)) for t in targets]
    figures = selectors.present_figures(counts, previous, checked)
    years = list(range(min(y for y, c in tallies.items() if c.get("households") and y <= year), year + 1))
    communes = selectors.commune_ranking(area, year) if area.level != Level.COMMUNE else []
    if area.level == Level.COMMUNE:
        names = ("households", "poor", "near_poor", "poor_rate", "near_poor_rate", "multidimensional_rate")
        communes = [{"area": area.pk, "name": area.name} | {name: figures[name] for name in names}]
    cohort = figures["exit_cohort"]
    computed_on = timezone.localtime(computed).date() if computed else timezone.localdate()
    later = {row["after_years"]: row for row in cohort["later"]}
    return {
        "empty": False,
        "computed_at": computed,
        "summary": _summary_rows(figures, counts, previous),
        "previous_year": year - 1 if previous else None,
        "targets": _target_rows(figures["targets"], targets),
        "rates_chart": rates_chart(tallies, years),
        "deprivations": [shown(row, label=cap(row["label"])) for row in figures["deprivations"]],
        "deprivation_chart": deprivation_chart(figures["deprivations"]) if figures["deprivations"] else "",
        "causes": [shown(row, label=cap(row["label"])) for row in figures["causes"]],
        "cause_chart": cause_chart(figures["causes"]) if figures["causes"] and figures["poor"] else "",
        "communes": [
            shown(row, rank=rank, url="?" + urlencode({"area": row["area"], "year": year}))
            for rank, row in enumerate(communes, start=1)
        ],
        "ranking_chart": ranking_chart(communes) if len(communes) > 1 else "",
        "top_communes": min(TOP_COMMUNES, len(communes)),
        "movements": [_movement_rows(move) for move in figures["movement"]],
        "groups": [shown(row) for row in figures["groups"]],
        "ethnicities": [shown(row) for row in figures["ethnicities"]],
        "cohort_escaped": num(cohort["escaped"]),
        "cohort": [
            {
                "after": k,
                "on": f"đến {computed_on:%d/%m/%Y} (ngày tính)"
                if year + k == computed_on.year
                else f"31/12/{year + k}",
                "followed": num(later[k]["followed"]) if k in later else "—",
                "relapsed": num(later[k]["relapsed"]) if k in later else "—",
                "rate": pct(later[k]["relapse_rate"]) if k in later else "chưa có số liệu",
            }
            for k in range(1, statistics.COHORT_YEARS + 1)
        ],
    }


def _post(request, target_form: TargetForm) -> HttpResponseRedirect | None:
    """The two buttons of STATS_MANAGE: recompute the area's figures now (queued), set a target."""
    user = request.user
    if not user.has_right(access.STATS_MANAGE):
        raise PermissionDenied
    back = request.get_full_path()
    if request.POST.get("action") == "refresh":
        try:
            area = ScopedAreaField(user).clean(request.POST.get("area"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(back)
        communes = list(Area.objects.within(area).filter(level=Level.COMMUNE).values_list("id", flat=True))
        communes = communes or [area.pk]
        tasks.refresh_figures.delay(None, communes)
        messages.success(
            request,
            f"Đã xếp lịch tính lại số liệu của {num(len(communes))} xã thuộc {area.name} (các năm từ "
            f"{statistics.FIRST_YEAR}). Số liệu mới có sau ít phút: tải lại trang để xem.",
        )
        return HttpResponseRedirect(back)
    if request.POST.get("action") == "target" and target_form.is_valid():
        try:
            target = target_form.submit(user)
        except DomainError as error:
            add_domain_error(target_form, error)  # the area and version are hidden: on the whole form
        else:
            messages.success(request, f"Đã ghi mục tiêu: {target}.")
            return HttpResponseRedirect(back)
    return None


def dashboard_view(model_admin, request) -> TemplateResponse | HttpResponseRedirect:
    user = request.user
    if not user.has_right(access.STATS_VIEW):
        raise PermissionDenied
    default = user.area if user.area is not None and user.area.level in LEVELS else None
    data = request.GET.copy()
    if not data.get("area") and default is not None:
        data["area"] = str(default.pk)
    form = DashboardForm(data if data.get("area") or data.get("year") else None, user=user)
    posted = request.method == "POST" and request.POST.get("action") == "target"
    target_form = TargetForm(request.POST if posted else None, user=user)
    if request.method == "POST":
        done = _post(request, target_form)
        if done is not None:
            return done
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": TITLE,
        "form": form,
        "media": model_admin.media + form.media,
        "can_manage": user.has_right(access.STATS_MANAGE),
        "command": "manage.py refresh_statistics",
        # without a worker (the embedded default) a decision refreshes the figures in its own request; with one,
        # the beat's refresh of stale figures runs every five minutes (config/celery.py)
        "refreshed_at_once": bool(tasks.refresh_stale_figures.app.conf.task_always_eager),
    }
    if form.is_bound and form.is_valid():
        area = form.cleaned_data["area"]
        this_year = timezone.localdate().year
        tallies = selectors.figures_by_year(area, range(statistics.FIRST_YEAR, this_year + 1))
        with_figures = [year for year, counts in tallies.items() if counts.get("households")]
        year = form.cleaned_data["year"] or (max(with_figures) if with_figures else this_year)
        if not target_form.is_bound:  # `?edit=<id>`: the form filled with that target of the area, to change it
            edit = request.GET.get("edit", "")
            target = (
                PovertyTarget.objects.filter(area=area, pk=int(edit)).first() if ID_DIGITS.fullmatch(edit) else None
            )
            initial = TargetForm.initial_for(target) if target else {"year": year}
            target_form = TargetForm(initial={"area": area.pk} | initial, user=user)
        context |= {
            "area": area,
            "year": year,
            "as_of": f"31/12/{year}",
            "page_url": reverse("admin:programs_dashboard") + "?" + urlencode({"area": area.pk, "year": year}),
            "target_form": target_form,
            "years_with_figures": sorted(with_figures, reverse=True),
            **figures_context(area, year, tallies),
        }
    return TemplateResponse(request, "admin/programs/dashboard.html", context)


@admin.register(PovertyTarget)
class PovertyTargetAdmin(RightsAdminMixin, admin.ModelAdmin):
    """The targets in scope (read-only: they are set on the dashboard, by `statistics.set_target`), and the
    dashboard itself."""

    view_right = access.STATS_VIEW
    list_display = ["area", "year", "measure", "kind", "value", "source", "recorded_by"]
    list_filter = ["year", "measure", "kind"]
    list_select_related = ["area", "recorded_by"]
    show_full_result_count = False
    readonly_fields = ["area", "year", "measure", "kind", "value", "source", "recorded_by", "version"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_urls(self):
        dashboard = self.admin_site.admin_view(partial(dashboard_view, self))
        return [path("dashboard/", dashboard, name="programs_dashboard"), *super().get_urls()]
