from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_tables(**kwargs) -> None:
    """`migrate` also makes the database cache tables (the login throttling's, settings.CACHES)."""
    from django.core.management import call_command

    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Customer Service Hub"

    def ready(self) -> None:
        post_migrate.connect(create_cache_tables, sender=self)
        from hub.api import connect_signals

        connect_signals()  # the token cache forgets a revoked token or a changed user/role
        import hub.lockout  # noqa: F401 - registers its system check
