"""Budget envelopes: the allocation of a project and funding source to a province, district or commune for a year
(`set_budget`, audited), and the arithmetic that keeps a line adding up from the province down (`budget_problem`).
"""

from django.db import transaction

from config.errors import DomainError, StaleVersion
from config.formats import number
from households.models import Area, User, subtree
from households.rules import SUPPORT_BUDGET, Level
from households.selectors import scoped_area
from households.services import log_action
from support.models import BudgetAllocation, FundingSource, Project
from support.services.checks import require

BUDGET_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def _line_amounts(area: Area, year: int, project: str, source: str) -> dict[str, int]:
    """The allocations of one budget line in the area's province, by area path."""
    province_path = "/".join(area.path.split("/")[:2]) + "/"
    return dict(
        BudgetAllocation.objects.filter(
            subtree(province_path, "area__path"), year=year, project=project, funding_source=source
        ).values_list("area__path", "amount")
    )


def _nearest_above(path: str, paths: set[str]) -> str | None:
    above = [p for p in paths if p != path and path.startswith(p)]
    return max(above, key=len) if above else None


def budget_problem(path: str, amount: int, amounts: dict[str, int]) -> str | None:
    """Whether setting `amount` at `path` keeps the line adding up: the allocations whose nearest allocated
    area above is the same must not exceed it, and this one must cover those below it."""
    lines = {**amounts, path: amount}
    paths = set(lines)
    parent = _nearest_above(path, paths)
    if parent is not None:
        siblings = sum(v for p, v in lines.items() if _nearest_above(p, paths) == parent)
        if siblings > lines[parent]:
            return (
                f"các địa bàn cấp dưới được giao {number(siblings)} đồng, "
                f"vượt kế hoạch của cấp trên ({number(lines[parent])} đồng)"
            )
    below = sum(v for p, v in lines.items() if _nearest_above(p, paths) == path)
    if below > amount:
        return f"đã giao cho cấp dưới {number(below)} đồng, nhiều hơn {number(amount)} đồng"
    return None


@transaction.atomic
def set_budget(
    *,
    actor: User,
    area_id: int,
    year: int,
    project: str,
    funding_source: str,
    amount: int,
    decision: str = "",
    version: int | None = None,
    create_only: bool = False,
) -> BudgetAllocation:
    """Allocate (or change) the budget of a project and source for an area and year, within the user's scope.
    Allocations below must add up to no more than the envelope above (STYLE: nothing over-committed). With
    `create_only` (an "add" form), an existing line is refused rather than overwritten."""
    require(actor, SUPPORT_BUDGET, "giao kế hoạch vốn")
    area = scoped_area(actor, area_id)
    if area.level not in BUDGET_LEVELS:
        raise DomainError("invalid_level", "Kế hoạch vốn giao cho tỉnh, huyện hoặc xã.", "area")
    if not 2021 <= year <= 2040:
        raise DomainError("invalid", "Năm phải từ 2021 đến 2040.", "year")
    if project not in Project.values:
        raise DomainError("invalid", f"Dự án “{project}” không hợp lệ.", "project")
    if funding_source not in FundingSource.values:
        raise DomainError("invalid", f"Nguồn vốn “{funding_source}” không hợp lệ.", "funding_source")
    if not 0 <= amount <= 10**15:
        raise DomainError("invalid", "Số tiền phải là số nguyên không âm (đồng).", "amount")
    # one line of one province at a time: lock the province's area row so two allocations cannot race
    Area.objects.select_for_update(no_key=True).filter(pk=area.province_id or area.pk).first()
    budget = (
        BudgetAllocation.objects.select_for_update()
        .filter(area=area, year=year, project=project, funding_source=funding_source)
        .first()
    )
    if budget is not None and create_only:
        raise DomainError(
            "exists", f"Đã có kế hoạch vốn này ({number(budget.amount)} đồng); hãy sửa dòng đó.", "amount"
        )
    if budget is not None and version is not None and version != budget.version:
        raise StaleVersion("Kế hoạch vốn đã được người khác cập nhật; hãy tải lại rồi làm lại.")
    problem = budget_problem(area.path, amount, _line_amounts(area, year, project, funding_source))
    if problem:
        raise DomainError("does_not_add_up", f"Kế hoạch vốn không khớp: {problem}.", "amount")
    if budget is None:
        budget = BudgetAllocation.objects.create(
            area=area,
            year=year,
            project=project,
            funding_source=funding_source,
            amount=amount,
            decision=decision.strip()[:120],
            recorded_by=actor,
        )
        old = None
    else:
        old = budget.amount
        budget.amount, budget.decision, budget.recorded_by = amount, decision.strip()[:120] or budget.decision, actor
        budget.version += 1
        budget.save(update_fields=["amount", "decision", "recorded_by", "version", "updated_at"])
    log_action(
        actor=actor,
        action="support.budget.set",
        obj=budget,
        changes={"amount": (old, amount), "decision": (None, budget.decision)},
    )
    return budget
