"""The API's sign-in (`/api/v1/auth/`): a username and password for an expiring token (django-rest-knox), its
revocation, and one's own tokens.

`login/` goes through Django's `authenticate(request=...)`, so django-axes counts its failures with the admin's and
answers a locked account or address with a 429 (`lockout_response` in `households/sign_in.py`); it is throttled per
address (`API_THROTTLE_LOGIN`) and audited (`households.user.token_issued`, never the token). A token is sent as
`Authorization: Token <token>`; `logout/` revokes the one sent, `logout-all/` every token of the account."""

from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import BAD_INPUT, parse_input, text_field
from config.client_ip import client_ip
from config.errors import DomainError
from config.second_factor import SessionAuthentication
from config.throttles import AnonRateThrottle, LoginRateThrottle
from config.token_cache import CachedTokenAuthentication as TokenAuthentication
from households.services import second_factor
from households.services import sign_in as services

LOCKED = OpenApiResponse(
    description="Tài khoản hoặc địa chỉ đang bị khóa đăng nhập (kèm locked_until), hoặc quá nhiều yêu cầu; "
    "Retry-After cho biết số giây phải chờ"
)


class LoginInput(serializers.Serializer):
    username = text_field(max_length=150, help_text="Tên đăng nhập")
    password = text_field(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = text_field(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Mã xác thực hai bước (6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng): bắt buộc với tài "
        "khoản phải dùng xác thực hai bước (SECOND_FACTOR_REQUIRED)",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Gửi kèm mỗi yêu cầu: Authorization: Token <token>. Chỉ hiện một lần.")
    token_prefix = serializers.CharField(help_text="Vài ký tự đầu của token, để nhận ra nó trong danh sách")
    expiry = serializers.DateTimeField(help_text="Hết hạn lúc (ISO 8601, có múi giờ); sau đó phải đăng nhập lại")


class TokenInfoSerializer(serializers.Serializer):
    token_prefix = serializers.CharField(source="token_key", help_text="Vài ký tự đầu của token")
    created = serializers.DateTimeField(help_text="Cấp lúc (ISO 8601)")
    expiry = serializers.DateTimeField(help_text="Hết hạn lúc (ISO 8601)")
    current = serializers.BooleanField(help_text="Là token của chính yêu cầu này")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["token_prefix"] = services.token_prefix(instance)
        return data


REVOKED = inline_serializer("TokensRevoked", {"revoked": serializers.IntegerField(help_text="Số token đã thu hồi")})


class LoginView(APIView):
    authentication_classes: list = []  # a stale token sent along does not stop a sign-in
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]

    @extend_schema(
        summary="Đăng nhập API: nhận token có thời hạn",
        description="Đổi tên đăng nhập và mật khẩu lấy một token có thời hạn, gửi kèm mọi yêu cầu sau dưới dạng "
        "`Authorization: Token <token>`. Token chỉ hiện một lần. Lần đăng nhập được ghi nhật ký (không ghi token); "
        "đăng nhập sai nhiều lần thì tài khoản hoặc địa chỉ bị khóa một thời gian (429). Tài khoản phải dùng xác "
        "thực hai bước gửi kèm otp.",
        request=LoginInput,
        responses={200: TokenSerializer, 400: BAD_INPUT, 429: LOCKED},
        auth=[],
        examples=[
            OpenApiExample(
                "login",
                summary="Đăng nhập",
                value={"username": "canbo_huyen", "password": "mật khẩu của bạn"},
                request_only=True,
            ),
            OpenApiExample(
                "new_token",
                summary="Token mới",
                value={
                    "token": "3f9c0d6a1b2e4f5a8c7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
                    "token_prefix": "3f9c0d6a",
                    "expiry": "2026-12-08T09:00:00+07:00",
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request):
        data = parse_input(LoginInput, request.data)
        django_request = request._request  # django-axes counts and locks on Django's request, as the admin's
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if user is None:  # a lock is answered by django-axes' middleware with its 429 instead
            raise DomainError("invalid_login", "Tên đăng nhập hoặc mật khẩu không đúng.")
        _check_second_factor(user, data.get("otp", ""))
        token, key = services.issue_api_token(actor=user, user_id=user.pk, ip_address=client_ip(django_request))
        user_logged_in.send(sender=type(user), request=django_request, user=user)  # last_login; axes clears failures
        body = {"token": key, "token_prefix": services.token_prefix(token), "expiry": token.expiry}
        return Response(TokenSerializer(body).data)


def _check_second_factor(user, code: str) -> None:
    """A token is issued to a user who must give a second factor only with a good code (django-otp throttles wrong
    ones); it is not asked again on the calls made with the token. Outside any transaction: a wrong code's count
    is kept (households.services.second_factor)."""
    if not second_factor.second_factor_required(user):
        return
    if not second_factor.has_second_factor(user):
        raise DomainError(
            "second_factor_not_enrolled",
            "Tài khoản phải dùng xác thực hai bước nhưng chưa đăng ký ứng dụng xác thực: đăng nhập trang quản trị "
            "một lần để đăng ký, rồi gửi kèm mã.",
            "otp",
        )
    if not code.strip():
        raise DomainError(
            "required", "Tài khoản phải dùng xác thực hai bước: gửi kèm mã trên ứng dụng xác thực.", "otp"
        )
    try:
        second_factor.accept_code(user, code)
    except DomainError as refusal:  # the admin's form calls the field `code`; here `code` names the error
        raise DomainError(refusal.code, refusal.message, "otp") from refusal


class LogoutView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Đăng xuất API: thu hồi token đang dùng",
        description="Thu hồi token gửi kèm yêu cầu này (ghi nhật ký); các token khác của tài khoản vẫn dùng được.",
        request=None,
        responses={200: REVOKED},
    )
    def post(self, request):
        revoked = services.revoke_api_tokens(actor=request.user, user_id=request.user.pk, token=request.auth)
        return Response({"revoked": revoked})


class LogoutAllView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Thu hồi mọi token API của tài khoản",
        description="Thu hồi mọi token còn hạn của tài khoản (ghi nhật ký), kể cả token đang dùng.",
        request=None,
        responses={200: REVOKED},
    )
    def post(self, request):
        revoked = services.revoke_api_tokens(actor=request.user, user_id=request.user.pk)
        return Response({"revoked": revoked})


class TokenListView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Các token API còn hạn của tài khoản (tối đa API_TOKEN_LIMIT_PER_USER)",
        responses={200: TokenInfoSerializer(many=True)},
    )
    def get(self, request):
        current = getattr(request.auth, "digest", None)
        tokens = services.live_tokens(request.user).order_by("-created", "digest")
        for token in tokens:
            token.current = token.digest == current
        return Response(TokenInfoSerializer(tokens, many=True).data)


URLS = [
    ("login/", LoginView, "api-login"),
    ("logout/", LogoutView, "api-logout"),
    ("logout-all/", LogoutAllView, "api-logout-all"),
    ("tokens/", TokenListView, "api-tokens"),
]
