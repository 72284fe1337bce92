"""The form runner and cases: /hub/forms/, /hub/cases/ for CSAs, /portal/forms/ for citizens, and the
forms of the REST API (/api/v1/forms/)."""
from django.urls import path

from core.api_urls import api_path
from integrations import api, views

app_name = "integrations"

urlpatterns = [
    path("hub/forms/", views.form_list, name="form_list"),
    path("hub/forms/<slug:slug>/", views.form_fill, name="form_fill"),
    path("hub/cases/", views.case_list, name="case_list"),
    path("hub/cases/<str:reference>/", views.case_detail, name="case_detail"),
    path("hub/cases/<str:reference>/edit/", views.case_edit, name="case_edit"),
    path("hub/cases/<str:reference>/link/", views.case_link, name="case_link"),
    path("portal/forms/<slug:slug>/", views.portal_form_fill, name="portal_form_fill"),
    api_path("api/v1/forms/", api.FormListView.as_view(), name="api_forms"),
    # <str:slug>, not <slug:slug>: any text reaches the API view, so an unknown form is the API's JSON 404.
    api_path("api/v1/forms/<str:slug>/", api.FormDetailView.as_view(), name="api_form"),
    api_path("api/v1/forms/<str:slug>/submissions/", api.SubmissionView.as_view(), name="api_form_submissions"),
]
