from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """Treatment plans, sessions and screenings. Uses `evidence`, `patients` and `clinic`."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "treatments"
    verbose_name = "Treatments"
