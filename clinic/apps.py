from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The clinic's own resources: practitioners, rooms, opening hours, closures, roles."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from clinic.middleware import mark_seen

        user_logged_in.connect(mark_seen, dispatch_uid="clinic.mark_seen")
        from clinic.auth_backends import connect_signals

        connect_signals()
