from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kuager.audit"
    label = "audit"
    verbose_name = "Audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.backends.signals import connection_created

        from kuager.audit import signals

        user_logged_in.connect(signals.on_login, dispatch_uid="kuager-audit-login")
        user_logged_out.connect(signals.on_logout, dispatch_uid="kuager-audit-logout")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="kuager-audit-login-failed")
        connection_created.connect(signals.on_connection, dispatch_uid="kuager-sqlite-secure-delete")
