from django.apps import AppConfig


class PatientsConfig(AppConfig):
    """Patients and their skin concerns. May use `evidence`."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "patients"
    verbose_name = "Patients"
