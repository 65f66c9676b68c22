"""The OpenAPI schema (/api/schema/) and its documentation (/api/docs/): for signed-in users unless
`API_DOCS_PUBLIC` opens them, read at each request. The schema answers a caller without a session or token like
any endpoint of the API (401); the documentation is a page for people, so it sends them to sign in and back.
`manage.py spectacular` builds the schema without these views, so CI is unaffected. The documentation is
Swagger UI's split view (its start-up script a file of its own, `?script=`), as the Content-Security-Policy wants.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated


class SchemaView(SpectacularAPIView):
    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if settings.API_DOCS_PUBLIC else [IsAuthenticated()]


class DocsView(SpectacularSwaggerSplitView):
    @extend_schema(exclude=True)  # as the view's own `get`: the page is not an endpoint of the schema
    def get(self, request, *args, **kwargs):
        if not (settings.API_DOCS_PUBLIC or request.user.is_authenticated):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return super().get(request, *args, **kwargs)
