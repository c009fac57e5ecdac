from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The clinic's own resources: practitioners, rooms, opening hours, closures, roles."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = "Clinic"
