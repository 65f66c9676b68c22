"""What the standards' survey and status services ask of the review, which leans on the standards and not the other
way round (the house plan: standards <- review). `ProgramsConfig.ready` plugs the review's services in."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


def _not_plugged(*_: Any, **__: Any) -> Any:
    raise RuntimeError("the review is not plugged into the survey service (ProgramsConfig.ready does it)")


@dataclass(frozen=True)
class OpenCase:
    """A household's case still open in a review: its id (for a link) and its name for a message."""

    pk: int
    name: str


@dataclass
class ReviewHooks:
    """What a survey asks of the review, which leans on the standards and not the other way round: the standard of
    the commune's campaign for that review (a survey defaults to it, A6; `standards_of_reviews` for the communes of
    a batch at once), and moving the household's open case on with the survey, in the survey's transaction.
    `standard_of_review` takes the commune's id, the year, kind and month of the review.
    `ProgramsConfig.ready` plugs the review's services in; a survey recorded before that is an error, not a survey
    that silently leaves its case behind. `open_review_of` gives the household's case still open in a review, if
    any: while it runs, the household's status changes only through that case's recognition."""

    standard_of_review: Callable[[int, int, str, int], str | None] = _not_plugged
    standards_of_reviews: Callable[[Iterable[int]], dict[tuple[int, int, str, int], str]] = _not_plugged
    advance_on_survey: Callable[..., Any] = _not_plugged
    advance_on_surveys: Callable[..., Any] = _not_plugged
    open_review_of: Callable[[int], OpenCase | None] = _not_plugged


review_hooks = ReviewHooks()
