from django.apps import AppConfig


class SystemsConfig(AppConfig):
    name = "systems"
    verbose_name = "Other systems (API clients, events, webhooks)"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from integrations.models import Case
        from profiles import registry
        from profiles.signals import profile_changed, profile_changes
        from systems import allowlists, privacy, receivers
        from systems.models import ApiClient, Subscription
        from systems.services.webhooks import subscriptions_changed

        # Events and deliveries are the customer's: erasure and the subject access export reach them here.
        registry.register(privacy.SECTION, export=privacy.export_events, erase=privacy.erase_events)
        # A search by another system's reference matches only in the sources the client may read.
        registry.register_source_reader(allowlists.readable_sources)
        profile_changed.connect(receivers.on_profile_changed, dispatch_uid="systems-webhooks-profile")
        profile_changes.connect(receivers.on_profile_changes, dispatch_uid="systems-webhooks-profiles")
        post_save.connect(receivers.on_case_saved, sender=Case, dispatch_uid="systems-webhooks-case")
        post_save.connect(receivers.on_api_client_changed, sender=ApiClient, dispatch_uid="systems-client-save")
        post_delete.connect(receivers.on_api_client_deleted, sender=ApiClient, dispatch_uid="systems-client-del")
        for model in (Subscription, ApiClient):  # the cached list of subscriptions (and their clients' lists)
            post_save.connect(subscriptions_changed, sender=model, dispatch_uid=f"systems-subs-save-{model.__name__}")
            post_delete.connect(subscriptions_changed, sender=model, dispatch_uid=f"systems-subs-del-{model.__name__}")
