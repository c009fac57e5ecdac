from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """The knowledge base: studies, indications, protocols, contraindication rules, scales.

    Depends on no other app of the project.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "evidence"
    verbose_name = "Evidence"
