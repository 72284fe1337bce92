from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Forms and integrations"

    def ready(self) -> None:
        from integrations import merging, privacy
        from profiles import registry

        # Cases are the customer's: erasure and the subject access export reach them through the registry,
        # and a merge moves them to the survivor (its undo moves them back).
        registry.register(privacy.SECTION, export=privacy.export_cases, erase=privacy.erase_cases)
        registry.register_merge(merging.KEY, count=merging.count_cases, move=merging.move_cases,
                                move_back=merging.move_cases_back)
