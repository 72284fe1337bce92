"""`/api/v1/events/`: profile events (issue 9). Joined under `api/v1/` in `hub.urls`."""
from django.urls import re_path

from systems import api

app_name = "systems"

urlpatterns = [
    re_path(r"^events/?$", api.EventView.as_view(), name="events"),
]
