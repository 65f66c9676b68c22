"""Pages of the programs app outside the admin and the main API router: the review's printable documents, and
the Excel import's API (programs.imports.api, under /api/v1/imports/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from programs.imports.api import ImportBatchViewSet
from programs.review import views as document_views

app_name = "programs"

imports_router = SimpleRouter()
imports_router.register("api/v1/imports", ImportBatchViewSet, basename="import")

urlpatterns = [
    path("review/campaigns/<int:campaign_id>/posting-list/", document_views.posting_list, name="posting-list"),
    path("review/campaigns/<int:campaign_id>/decision-list/", document_views.decision_list, name="decision-list"),
    path("review/cases/<int:case_id>/certificate/", document_views.certificate, name="certificate"),
    *imports_router.urls,
]
