"""The pages: sign-in, the CSA hub (/hub/) and the citizen portal (/portal/)."""
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hub import addresses, duplicates, merge_pages, portal, privacy, views
from hub.signin import SignInForm
from integrations import views as integration_views

hub_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("customers/", views.customer_search, name="customer_search"),
    path("addresses/", addresses.address_search, name="address_search"),
    path("addresses/customers/", addresses.address_customers, name="address_customers"),
    path("customers/new/", integration_views.customer_create, name="customer_create"),  # a configured form
    path("customers/<str:ucrn>/", views.customer_record, name="customer_record"),
    path("customers/<str:ucrn>/history/", views.customer_history, name="customer_history"),
    path("customers/<str:ucrn>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<str:ucrn>/email/", views.customer_email, name="customer_email"),
    path("customers/<str:ucrn>/export/", privacy.customer_export, name="customer_export"),
    path("customers/<str:ucrn>/erase/", privacy.customer_erase, name="customer_erase"),
    path("customers/<str:ucrn>/not-duplicate/", duplicates.customer_not_duplicate, name="customer_not_duplicate"),
    path("customers/<str:ucrn>/merge/", merge_pages.customer_merge, name="customer_merge"),
    path("customers/<str:ucrn>/merge/<int:id>/undo/", merge_pages.customer_merge_undo, name="customer_merge_undo"),
]

portal_patterns = [
    path("profile/", portal.profile, name="profile"),
    path("profile/edit/", portal.profile_edit, name="profile_edit"),
    path("profile/export/", privacy.portal_export, name="profile_export"),
]

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                                          authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("hub/", include((hub_patterns, "hub"))),
    path("portal/", include((portal_patterns, "portal"))),
]
