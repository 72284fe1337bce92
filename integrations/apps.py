from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Forms and integrations"

    def ready(self) -> None:
        from integrations import privacy
        from profiles import registry

        # Cases are the customer's: erasure and the subject access export reach them through the registry.
        registry.register(privacy.SECTION, export=privacy.export_cases, erase=privacy.erase_cases)
