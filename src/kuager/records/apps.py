from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "kuager.records"
    label = "records"
    verbose_name = "Records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Keep the stored derived values (status, visibility) up to date on every save and delete."""
        from kuager.records.services import derived

        derived.connect()
