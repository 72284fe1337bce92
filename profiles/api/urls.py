"""`/api/v1/`: the profile integrations and reference lists over REST (SPEC section 6).

Every route is an `api_path()`: written with its trailing slash, it answers the same without it."""
from core.api_urls import api_path
from profiles.api import addresses, duplicates, export, extended, imports, merge, subscriptions, views

app_name = "api"

urlpatterns = [
    api_path("profiles/", views.ProfileListCreateView.as_view(), name="profiles"),
    api_path("profiles/import/", imports.ImportView.as_view(), name="profiles-import"),
    api_path("profiles/duplicates/", duplicates.DuplicatesView.as_view(), name="profiles-duplicates"),
    api_path("profiles/<str:ucrn>/", views.ProfileDetailView.as_view(), name="profile"),
    api_path("profiles/<str:ucrn>/addresses/", views.AddressHistoryView.as_view(), name="profile-addresses"),
    api_path("profiles/<str:ucrn>/history/", views.ChangeHistoryView.as_view(), name="profile-history"),
    api_path("profiles/<str:ucrn>/export/", export.ProfileExportView.as_view(), name="profile-export"),
    api_path("profiles/<str:ucrn>/erase/", export.ProfileEraseView.as_view(), name="profile-erase"),
    api_path("profiles/<str:ucrn>/merge/", merge.MergeView.as_view(), name="profile-merge"),
    api_path("profiles/<str:ucrn>/merge/<str:id>/", merge.MergeDetailView.as_view(), name="profile-merge-detail"),
    api_path("profiles/<str:ucrn>/merge/<str:id>/undo/", merge.MergeUndoView.as_view(), name="profile-merge-undo"),
    api_path("profiles/<str:ucrn>/extended/<str:source>/", extended.ExtendedDataView.as_view(),
             name="profile-extended"),
    api_path("profiles/<str:ucrn>/not-duplicate/", duplicates.NotDuplicateView.as_view(),
             name="profile-not-duplicate"),
    api_path("profiles/<str:ucrn>/subscriptions/", subscriptions.SubscriptionListView.as_view(),
             name="profile-subscriptions"),
    api_path("profiles/<str:ucrn>/subscriptions/<str:id>/", subscriptions.SubscriptionDetailView.as_view(),
             name="profile-subscription"),
    api_path("topics/<str:slug>/subscribers/", subscriptions.TopicSubscribersView.as_view(), name="topic-subscribers"),
    api_path("addresses/", addresses.AddressSearchView.as_view(), name="addresses"),
    api_path("lists/<str:list_name>/", views.ReferenceListView.as_view(), name="list"),
]
