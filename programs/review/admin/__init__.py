"""The review in the admin (domain A6): `cases` (the case list, its page and its moves), `campaigns` (a commune's
campaign, its calendar and documents), `notifications` (the officer's to-do list); `forms` holds their forms and
filters. A UI over `programs.review.services` (STYLE 17): every page and list starts from the user's scope
(`visible_to`); a refused move is a form error on the field the service names."""

from programs.review.admin import campaigns, cases, notifications

__all__ = ["campaigns", "cases", "notifications"]
