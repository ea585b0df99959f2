from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuartiersConfig(AppConfig):
    name = "quartiers"
    verbose_name = _("Quartiers et partenaires")

    def ready(self) -> None:
        from quartiers import jetons  # noqa: F401  (un nouveau mot de passe révoque les jetons)
