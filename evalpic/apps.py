from django.apps import AppConfig


class EvalpicConfig(AppConfig):
    """Le paquet de configuration : il n'a pas de modèles, seulement les vérifications de
    déploiement (`manage.py check --deploy`, evalpic.verifications) et la langue posée à la
    connexion (signal `user_logged_in`, evalpic.middleware)."""

    name = "evalpic"
    verbose_name = "ÉvalPIC"

    def ready(self) -> None:
        from evalpic import middleware, verifications  # noqa: F401  (les enregistre)
