from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kuager.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        """Connect the cache's change counter to saves and deletes of the records pages count."""
        from django.db.models.signals import post_delete, post_save

        from kuager.records import models as m
        from kuager.web import cache

        for model in (m.Victim, m.Mention, m.MentionName, m.Testimony, m.Event, m.Judgement):
            post_save.connect(cache.bump, sender=model, dispatch_uid=f"kuager-web-cache-save-{model.__name__}")
            post_delete.connect(cache.bump, sender=model, dispatch_uid=f"kuager-web-cache-delete-{model.__name__}")
