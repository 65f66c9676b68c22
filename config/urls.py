from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from config.health import healthz
from households.api import AreaViewSet
from programs.api import (
    AssessmentViewSet,
    ClassifyView,
    HouseholdViewSet,
    PovertyStandardViewSet,
    StatusChangeViewSet,
    WhatIfView,
)
from programs.api_reviews import ReviewCampaignViewSet, ReviewCaseViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("households", HouseholdViewSet, basename="household")
router.register("standards", PovertyStandardViewSet, basename="standard")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("status-changes", StatusChangeViewSet, basename="status-change")
router.register("review-campaigns", ReviewCampaignViewSet, basename="review-campaign")
router.register("review-cases", ReviewCaseViewSet, basename="review-case")

admin.site.site_header = "Quản lý hộ nghèo, hộ cận nghèo"
admin.site.site_title = "giamngheo"
admin.site.index_title = "Chương trình MTQG giảm nghèo bền vững"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/classify/", ClassifyView.as_view(), name="classify"),
    path("api/v1/stats/what-if/", WhatIfView.as_view(), name="what-if"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("programs.urls")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
