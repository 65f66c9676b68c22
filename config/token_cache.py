"""API tokens remembered between requests: `Authorization: Token <token>` answered from the shared cache.

knox's own check costs two queries per request (the token with its user, the user's other tokens to drop the
expired ones) and the scope a third (the user's area). `CachedTokenAuthentication` does knox's check once, then
keeps what it found in the shared cache (Redis) for `API_TOKEN_CACHE_SECONDS` (at most until the token expires):
the token (its digest, prefix, dates), the account without its password (which stays deferred: read from the
database if anything asks, and never written back by a `save()`), and the account's area (its scope). A request
with a remembered token reads one cache entry and runs no query for it.

Forgotten at once, by every worker: each entry carries the generation of the cache at the time its rows were read
(the generation is read before the rows); a save or deletion of a token, an account or an area (`connect`: their
`post_save` and `post_delete`) moves the generation on, now and again after the commit (a request that read the
rows before the commit cannot keep them), and an entry of an older generation is not used. So the next request
after a token is revoked, an account closed or its role, area or rights changed, or an area moved, is checked
against the database again. Saves that change nothing of that (an account's `last_login`, an area's household
sequence) keep the cache. Without a shared cache (no `CACHE_URL`/`REDIS_URL`: one process's memory, which the
other workers would not see forgotten) or with `API_TOKEN_CACHE_SECONDS=0`, every request is knox's own check.
"""

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model

logger = logging.getLogger(__name__)
GENERATION_KEY = "api-token:generation"
SCOPE = "area"  # the account's relation that holds its scope, loaded with it
# Saves that change nothing a request is authorised by: the cache stays.
HARMLESS_FIELDS = {"user": {"last_login"}, "area": {"household_seq"}}


def _entry_key(digest: str) -> str:
    return f"api-token:{digest}"


def enabled() -> bool:
    return bool(settings.API_TOKEN_CACHE_SECONDS and settings.CACHE_URL)


# --- the entry: rows as plain values, and the instances rebuilt from them ------------------------------------


def _values(instance: models.Model, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in skip}


def _rebuild(model: type[models.Model], values: dict[str, Any]) -> Any:
    """An instance as loaded from the database with these fields (the others deferred)."""
    return model.from_db(DEFAULT_DB_ALIAS, list(values), list(values.values()))


def _entry(user: Any, token: Any, generation: int) -> dict[str, Any]:
    area = getattr(user, SCOPE)  # the scope: one query now, none while remembered
    return {
        "generation": generation,
        "token": _values(token),
        "user": _values(user, frozenset({"password"})),
        "area": _values(area) if area is not None else None,
    }


def _restore(entry: dict[str, Any]) -> tuple[Any, Any]:
    user_model = get_user_model()
    user = _rebuild(user_model, entry["user"])
    field = user_model._meta.get_field(SCOPE)
    area = _rebuild(field.related_model, entry["area"]) if entry["area"] is not None else None
    field.set_cached_value(user, area)
    token = _rebuild(get_token_model(), entry["token"])
    token._meta.get_field("user").set_cached_value(token, user)
    return user, token


class CachedTokenAuthentication(TokenAuthentication):
    """knox's token authentication, remembered in the shared cache (see the module)."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        if not enabled():
            return super().authenticate_credentials(token)
        try:
            key = _entry_key(hash_token(token.decode("utf-8")))
        except UnicodeDecodeError:
            return super().authenticate_credentials(token)  # knox's own answer
        found = cache.get_many([key, GENERATION_KEY])
        generation = found.get(GENERATION_KEY)
        entry = found.get(key)
        now = timezone.now()
        if generation is None:  # lost (evicted, flushed): no entry can be trusted, nor remembered under it
            _new_generation()
            return super().authenticate_credentials(token)
        if entry is not None and entry["generation"] == generation:
            expiry = entry["token"]["expiry"]
            if expiry is None or expiry > now:
                return _restore(entry)
        user, auth_token = super().authenticate_credentials(token)
        ttl = settings.API_TOKEN_CACHE_SECONDS
        if auth_token.expiry is not None:
            ttl = min(ttl, int((auth_token.expiry - now).total_seconds()))
        if ttl > 0:
            cache.set(key, _entry(user, auth_token, generation), ttl)
        return user, auth_token


class CachedTokenScheme(KnoxTokenScheme):
    """The same `knoxApiToken` scheme in the OpenAPI schema as knox's own authentication."""

    target_class = CachedTokenAuthentication


# --- forgetting -------------------------------------------------------------------------------------------------


def _new_generation() -> None:
    """A generation where there is none: the clock in nanoseconds, a value no earlier generation had (a generation
    that started again from 1 after its key was lost would make entries of the lost one valid again)."""
    cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def forget_all(**kwargs: Any) -> None:
    """Move the generation on: every remembered token is checked against the database at its next request.

    Writes that send no signal (`QuerySet.update`, `bulk_update`, raw SQL) on tokens, accounts or areas must call
    it; a migration calls it when it ends (`post_migrate`). If the shared cache cannot be reached the change is
    still saved, and the error logged: an entry remembered before lives `API_TOKEN_CACHE_SECONDS` at most."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation (never made, or lost): a new one, which no entry holds
            _new_generation()
    except Exception:  # noqa: BLE001 - the cache is down: the database's change must not fail for it
        logger.exception("API tokens: the shared cache could not be told to forget the remembered tokens")


def _forget(changed: set[str] | frozenset[str] | None, harmless: set[str]) -> None:
    if changed is not None and set(changed) <= harmless:
        return
    forget_all()  # now: this connection's next reads see the change
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget_all)  # and once it is everyone's: a request that read the rows before


def _saved(kind: str) -> Any:
    def receiver(sender: Any, instance: Any, created: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
        if created:  # a new row: nothing remembered holds it yet
            return
        _forget(update_fields, HARMLESS_FIELDS.get(kind, set()))

    return receiver


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _forget(None, set())


_RECEIVERS = {"token": _saved("token"), "user": _saved("user"), "area": _saved("area")}


def connect() -> None:
    """Forget the remembered tokens when a token, an account or an area changes (from `AppConfig.ready`, so that
    every process that writes them, the admin's included, forgets)."""
    user_model = get_user_model()
    models_by_kind = {
        "token": get_token_model(),
        "user": user_model,
        "area": user_model._meta.get_field(SCOPE).related_model,
    }
    post_migrate.connect(forget_all, dispatch_uid="token_cache_migrated")  # a migration's data changes send none
    for kind, model in models_by_kind.items():
        post_save.connect(_RECEIVERS[kind], sender=model, dispatch_uid=f"token_cache_saved_{kind}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"token_cache_deleted_{kind}")
