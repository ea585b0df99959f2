from django.apps import AppConfig


class EvalpicConfig(AppConfig):
    """Le paquet de configuration : il n'a pas de modèles, seulement les vérifications de
    déploiement (`manage.py check --deploy`, evalpic.verifications)."""

    name = "evalpic"
    verbose_name = "ÉvalPIC"

    def ready(self) -> None:
        from evalpic import verifications  # noqa: F401  (enregistre les vérifications)
