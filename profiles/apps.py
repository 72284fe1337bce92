from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Customers"

    def ready(self) -> None:
        from profiles import caching, fuzzy, placeholders
        from profiles.api import schema  # noqa: F401  drf-spectacular's extensions register when imported

        caching.connect_signals()  # an edited reference list renews the cached lists, on every server
        placeholders.connect_signals()  # an edited placeholder list renews the cached list, on every server
        fuzzy.connect_signals()  # SQLite: the trigram similarity function PostgreSQL has in pg_trgm
