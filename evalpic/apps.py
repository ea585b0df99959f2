from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


def _nommer_les_modeles_d_allauth() -> None:
    """Les noms que l'admin montre pour les modèles d'allauth, dans les mots du site : allauth ne
    nomme pas ceux de la MFA (« Authenticators », « User », « Data » restaient en anglais dans
    l'admin en français) et dit « adresse e-mail » là où le site dit « courriel ».

    Seuls les noms affichés changent (`Options.verbose_name*`, `Field.verbose_name`) : les
    migrations lisent ceux déclarés par allauth (`Options.original_attrs`,
    `Field._verbose_name`), si bien qu'aucune migration n'apparaît dans allauth."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    apps.get_app_config("mfa").verbose_name = _("Double authentification")
    apps.get_app_config("account").verbose_name = _("Courriels des comptes")
    noms = {
        Authenticator: (
            _("authentificateur"),
            _("authentificateurs"),
            {
                "user": _("utilisateur·trice"),
                "type": _("type"),
                "data": _("données"),
                "created_at": _("créé le"),
                "last_used_at": _("dernier usage"),
            },
        ),
        EmailAddress: (
            _("courriel"),
            _("courriels"),
            {
                "user": _("utilisateur·trice"),
                "email": _("courriel"),
                "verified": _("vérifié"),
                "primary": _("principal"),
            },
        ),
    }
    for modele, (singulier, pluriel, champs) in noms.items():
        modele._meta.verbose_name = singulier
        modele._meta.verbose_name_plural = pluriel
        for nom, libelle in champs.items():
            modele._meta.get_field(nom).verbose_name = libelle


class EvalpicConfig(AppConfig):
    """Le paquet de configuration : il n'a pas de modèles, seulement les vérifications de
    déploiement (`manage.py check --deploy`, evalpic.verifications), la langue posée à la
    connexion (signal `user_logged_in`, evalpic.middleware) et les noms des modèles d'allauth
    dans l'admin."""

    name = "evalpic"
    verbose_name = "ÉvalPIC"

    def ready(self) -> None:
        from evalpic import middleware, verifications  # noqa: F401  (les enregistre)

        _nommer_les_modeles_d_allauth()
