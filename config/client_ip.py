"""The address a request comes from, for the sign-in lockout (django-axes) and the audit.

Without a proxy it is the socket's address (`REMOTE_ADDR`): an `X-Forwarded-For` header is the client's own
words and is ignored, or anyone could pick the address their failures count against. Behind the TLS proxy
(`TRUSTED_PROXY_COUNT`, 1 by default with `BEHIND_TLS_PROXY=1`) each trusted proxy appends the address it saw to
`X-Forwarded-For`, so the client is the entry that many places from the right; what lies further left was sent
by the client. An entry that is not an address (a proxy that does not append) falls back to the socket's.
DRF's throttles read the same header the same way (`NUM_PROXIES`, set from the same setting).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    chosen = addresses[-min(proxies, len(addresses))]
    try:
        return str(ipaddress.ip_address(chosen))
    except ValueError:
        return remote
