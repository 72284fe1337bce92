from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_tables(**kwargs) -> None:
    """`migrate` also makes the database cache tables (settings.CACHES without Redis: throttles, lock-outs)."""
    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)


class CoreConfig(AppConfig):
    """What every app needs and that knows no customer: roles, the API kernel, the cache backend."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core.api import connect_signals  # it needs the auth models: loaded once the apps are

        post_migrate.connect(create_cache_tables, sender=self)
        connect_signals()  # the token cache forgets a revoked token or a changed user/role
