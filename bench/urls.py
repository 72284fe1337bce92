"""The hub's URLs plus the benchmark's floor, `/bench/floor/{ucrn}/`; used only by bench.settings."""

from django.urls import include, path

from bench.floor import floor

urlpatterns = [
    path("bench/floor/<str:ucrn>/", floor, name="bench-floor"),
    path("", include("hub.urls")),
]
