from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Customer Service Hub"

    def ready(self) -> None:
        from hub import lockout  # noqa: F401 - registers its system check
