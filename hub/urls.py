"""The hub's URLs: the admin, the REST API with its OpenAPI schema and docs; the pages join here."""
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api_urls import api_fallback, api_path

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="home", permanent=False)),
    path("admin/", admin.site.urls),
    path("", include("hub.urls_pages")),  # sign-in, the CSA pages (/hub/) and the portal (/portal/)
    path("", include("integrations.urls")),  # the form runner and cases
    path("api/v1/", include("profiles.api.urls")),
    path("api/v1/", include("systems.urls")),  # profile events
    api_path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so scripts stay strict; Swagger UI sets inline
    # styles as it renders, so this page alone allows them. GET only: its HTML renderer has no page for
    # DRF's OPTIONS answer (a 500), so OPTIONS is a 405 like the other methods.
    api_path("api/docs/", csp_update({"style-src": [UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="schema", http_method_names=["get", "head"])), name="api-docs"),
    api_fallback,  # last: any other path under /api/ is a JSON 404, never a redirect or an HTML page
]
