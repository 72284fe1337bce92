from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Customers"

    def ready(self) -> None:
        from profiles import caching, fuzzy

        caching.connect_signals()  # an edited reference list renews the cached lists, on every server
        fuzzy.connect_signals()  # SQLite: the trigram similarity function PostgreSQL has in pg_trgm
