"""One move for several cases at once (a village meeting's list, a posting, one recognition decision: domain A6),
each case through its own service in `cases`, all or nothing."""

from collections.abc import Callable
from typing import Any

from django.db import transaction

from config.errors import DomainError, NotFound
from households.models import User
from programs.models import ReviewCase
from programs.review import rules as review_rules
from programs.review.services.cases import post_case, recognise_case, record_meeting

_BULK_MOVES: dict[review_rules.Move, Callable[..., ReviewCase]] = {
    review_rules.Move.MEETING: record_meeting,
    review_rules.Move.POST: post_case,
    review_rules.Move.RECOGNISE: recognise_case,
}


@transaction.atomic
def move_cases(*, actor: User, case_ids: list[int], move: review_rules.Move, **arguments: Any) -> int:
    """One move for many cases, as the procedure does them: a village meeting agrees on its list, the list
    is posted, the chair signs one decision for all. Each case goes through its own service (with the
    version read now, and its own audit entry); if any case is refused, none is changed and the error lists
    each refused case with its reason."""
    service = _BULK_MOVES.get(move)
    if service is None:
        raise DomainError("invalid", f"Không làm hàng loạt được bước “{review_rules.MOVE_LABELS[move]}”.", "move")
    cases = list(
        ReviewCase.objects.visible_to(actor)
        .filter(pk__in=case_ids)
        .select_related("campaign", "household")
        .order_by("household__code", "id")
    )
    if len(cases) != len(set(case_ids)):
        raise NotFound("Có hồ sơ không tìm thấy hoặc ngoài địa bàn của bạn.", "cases")
    refused = []
    for case in cases:
        try:
            service(actor=actor, case_id=case.pk, expected_version=case.version, **arguments)
        except DomainError as exc:
            refused.append(f"{case.reference} ({case.household.code}): {exc.message.rstrip('.')}")
    if refused:
        shown = "; ".join(refused[:10]) + (f"; và {len(refused) - 10} hồ sơ khác" if len(refused) > 10 else "")
        raise DomainError("bulk_refused", f"Chưa hồ sơ nào được cập nhật: {len(refused)} hồ sơ không hợp lệ — {shown}.")
    return len(cases)
