from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Customers"

    def ready(self) -> None:
        from profiles import caching, fuzzy, placeholders, registry
        from profiles.api import schema  # noqa: F401  drf-spectacular's extensions register when imported
        from profiles.selectors.extended import export_extended
        from profiles.services import extended

        caching.connect_signals()  # an edited reference list renews the cached lists, on every server
        placeholders.connect_signals()  # an edited placeholder list renews the cached list, on every server
        fuzzy.connect_signals()  # SQLite: the trigram similarity function PostgreSQL has in pg_trgm
        # Extended data (SPEC 8.3) joins the export and goes with an erasure, as other apps' rows do.
        extended.connect_signals()  # a source edited in the admin renews the cached sources
        registry.register(extended.SECTION, export=export_extended, erase=extended.erase_extended)
