from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve
from rest_framework.routers import DefaultRouter

from config.api import ApiRootView
from config.api_docs import DocsView, SchemaView
from config.health import healthz
from households import api_auth
from households.access import AccessLogAutocompleteView
from households.admin import password_change
from households.admin.second_factor import enrol_view, verify_view
from households.api import HouseholdViewSet
from households.api_access import AccessRecordViewSet
from households.api_areas import AreaViewSet
from programs.reporting.api import CommuneRankingView, FiguresView, RefreshView, SeriesView, TargetViewSet
from programs.reporting.api_reports import ReportJobViewSet
from programs.review.api import ReviewCampaignViewSet, ReviewCaseViewSet
from programs.standards.api import (
    AssessmentViewSet,
    ClassifyView,
    PovertyStandardViewSet,
    StatusChangeViewSet,
    WhatIfView,
)
from support.api import InterventionTypeViewSet, LoanViewSet, SupportFollowUpViewSet, SupportRecordViewSet
from support.api_reports import BudgetViewSet, OutcomeViewSet, TargetingViewSet

router = DefaultRouter()
router.APIRootView = ApiRootView  # the browsable root named and described in Vietnamese
router.register("areas", AreaViewSet, basename="area")
router.register("households", HouseholdViewSet, basename="household")
router.register("standards", PovertyStandardViewSet, basename="standard")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("status-changes", StatusChangeViewSet, basename="status-change")
router.register("review-campaigns", ReviewCampaignViewSet, basename="review-campaign")
router.register("review-cases", ReviewCaseViewSet, basename="review-case")
router.register("intervention-types", InterventionTypeViewSet, basename="intervention-type")
router.register("support-records", SupportRecordViewSet, basename="support-record")
router.register("support-follow-ups", SupportFollowUpViewSet, basename="support-follow-up")
router.register("loans", LoanViewSet, basename="loan")
router.register("budgets", BudgetViewSet, basename="budget")
router.register("support-targeting", TargetingViewSet, basename="support-targeting")
router.register("support-outcomes", OutcomeViewSet, basename="support-outcome")
router.register("targets", TargetViewSet, basename="target")
router.register("reports", ReportJobViewSet, basename="report")
router.register("access-log", AccessRecordViewSet, basename="access-record")

admin.site.site_header = "Quản lý hộ nghèo, hộ cận nghèo"
admin.site.site_title = "giamngheo"
admin.site.index_title = "Chương trình MTQG giảm nghèo bền vững"
admin.site.site_url = None  # no "Xem trang web": the site is the admin

# A refusal and an absence in the admin's layout, in Vietnamese, with a way back; under /api/ the API's error envelope,
# for an unknown address and a server error outside a view too (config.error_pages)
handler400 = "config.error_pages.bad_request"
handler403 = "config.error_pages.permission_denied"
handler404 = "config.error_pages.page_not_found"
handler500 = "config.error_pages.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The site's icon, where every browser asks for it on every page (unanswered: a console error on each page).
    path("favicon.ico", serve, {"document_root": settings.BASE_DIR / "config", "path": "favicon.png"}, name="favicon"),
    path("api/v1/classify/", ClassifyView.as_view(), name="classify"),
    path("api/v1/stats/what-if/", WhatIfView.as_view(), name="what-if"),
    path("api/v1/stats/figures/", FiguresView.as_view(), name="stats-figures"),
    path("api/v1/stats/communes/", CommuneRankingView.as_view(), name="stats-communes"),
    path("api/v1/stats/series/", SeriesView.as_view(), name="stats-series"),
    path("api/v1/stats/refresh/", RefreshView.as_view(), name="stats-refresh"),
    # The API's sign-in and its tokens (households/api_auth.py): login/, logout/, logout-all/, tokens/.
    *(path(f"api/v1/auth/{route}", view.as_view(), name=name) for route, view, name in api_auth.URLS),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("programs.urls")),
    # the second factor, after the password (before the admin's own URLs, whose app pages would take the path)
    path("admin/second-factor/", verify_view, name="second_factor_verify"),
    path("admin/second-factor/enrol/", enrol_view, name="second_factor_enrol"),
    # One's own new password, audited (households.admin.sign_in), in place of the admin's own view at that address.
    path("admin/password_change/", admin.site.admin_view(password_change), name="own-password-change"),
    # The admin's autocomplete, which records the households it answers (households.access), in place of its own.
    path("admin/autocomplete/", admin.site.admin_view(AccessLogAutocompleteView.as_view(admin_site=admin.site))),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
