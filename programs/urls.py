"""Pages of the programs app outside the API and the admin: the review's printable documents."""

from django.urls import path

from programs import document_views

app_name = "programs"

urlpatterns = [
    path("review/campaigns/<int:campaign_id>/posting-list/", document_views.posting_list, name="posting-list"),
    path("review/campaigns/<int:campaign_id>/decision-list/", document_views.decision_list, name="decision-list"),
    path("review/cases/<int:case_id>/certificate/", document_views.certificate, name="certificate"),
]
