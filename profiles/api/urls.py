"""`/api/v1/`: the profile integrations and reference lists over REST (SPEC section 6)."""
from django.urls import path, re_path

from profiles.api import duplicates, export, imports, merge, views

app_name = "api"

urlpatterns = [
    path("profiles/", views.ProfileListCreateView.as_view(), name="profiles"),
    re_path(r"^profiles/import/?$", imports.ImportView.as_view(), name="profiles-import"),
    re_path(r"^profiles/duplicates/?$", duplicates.DuplicatesView.as_view(), name="profiles-duplicates"),
    path("profiles/<str:ucrn>/", views.ProfileDetailView.as_view(), name="profile"),
    path("profiles/<str:ucrn>/addresses/", views.AddressHistoryView.as_view(), name="profile-addresses"),
    path("profiles/<str:ucrn>/history/", views.ChangeHistoryView.as_view(), name="profile-history"),
    path("profiles/<str:ucrn>/export/", export.ProfileExportView.as_view(), name="profile-export"),
    path("profiles/<str:ucrn>/erase/", export.ProfileEraseView.as_view(), name="profile-erase"),
    re_path(r"^profiles/(?P<ucrn>[^/]+)/merge/?$", merge.MergeView.as_view(), name="profile-merge"),
    re_path(r"^profiles/(?P<ucrn>[^/]+)/merge/(?P<id>[^/]+)/undo/?$", merge.MergeUndoView.as_view(),
            name="profile-merge-undo"),
    re_path(r"^profiles/(?P<ucrn>[^/]+)/not-duplicate/?$", duplicates.NotDuplicateView.as_view(),
            name="profile-not-duplicate"),
    path("lists/<str:list_name>/", views.ReferenceListView.as_view(), name="list"),
]
