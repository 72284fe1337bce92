"""`/api/v1/events/`: profile events. Joined under `api/v1/` in `hub.urls`."""
from core.api_urls import api_path
from systems import api

app_name = "systems"

urlpatterns = [
    api_path("events/", api.EventView.as_view(), name="events"),
    api_path("events/<str:id>/", api.EventDetailView.as_view(), name="event"),
]
