"""The API's session authentication under the second factor (SECOND_FACTOR_REQUIRED, households' rules): DRF's
own, except that a session whose user must still give her code is refused with a 403 that says so. Who must give
one is households' to say: its `SecondFactorMiddleware` marks the request (`PENDING`), this class reads the mark.
A token is not asked again (it was issued after the code), so a call with a valid token goes through whatever the
session cookie beside it."""

from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions

PENDING = "second_factor_pending"  # attribute of Django's request: True while the session's code is still due
MESSAGE = (
    "Tài khoản này phải xác thực hai bước: mở trang quản trị, nhập mã trên ứng dụng xác thực rồi gọi lại "
    "(hoặc dùng token của API)."
)


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and getattr(request._request, PENDING, False):
            raise exceptions.PermissionDenied(MESSAGE)
        return found


class SessionAuthenticationScheme(SessionScheme):
    """The same cookie scheme in the OpenAPI schema as DRF's own session authentication."""

    target_class = SessionAuthentication
