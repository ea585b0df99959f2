"""Adaptation d'allauth : pas d'inscription publique, les comptes sont créés par l'administration;
les courriels d'allauth (réinitialisation du mot de passe) partent dans la langue de la personne."""

import contextlib
import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quartiers.models import Utilisateur

journal = logging.getLogger(__name__)


class AdaptateurCompte(DefaultAccountAdapter):
    # Les mots du site (« courriel ») plutôt que ceux d'allauth (« adresse e-mail »).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "Ce courriel et ce mot de passe ne correspondent à aucun compte : vérifiez-les."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Comme allauth, mais dans la langue préférée de la personne à qui il écrit (celle de
        la page sinon), comme les rappels et les avis de bilan. allauth passe la personne dans
        le contexte (réinitialisation du mot de passe).

        Un envoi raté (serveur SMTP injoignable, adresse refusée) est écrit au journal, à
        ERROR, avec le modèle et le destinataire, jamais le texte (il porte le lien de
        réinitialisation), et la page répond comme si le courriel était parti : une erreur 500
        pour un compte qui existe, et la page habituelle pour une adresse inconnue, diraient
        quelles adresses ont un compte."""
        personne = context.get("user")
        langue = (
            translation.override(personne.langue)
            if isinstance(personne, Utilisateur)
            else contextlib.nullcontext()
        )
        try:
            with langue:
                super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as erreur:
            journal.error(
                "Courriel du compte non envoyé (%s) à %s : %s: %s",
                template_prefix,
                email,
                type(erreur).__name__,
                erreur,
            )

    def format_email_subject(self, subject: str) -> str:
        """« ÉvalPIC : » en français, « ÉvalPIC: » en anglais (l'espace avant le deux-points est
        française) : le préfixe se traduit dans la langue du courriel, comme le sujet de l'avis
        de bilan, au lieu du ACCOUNT_EMAIL_SUBJECT_PREFIX fixe d'allauth."""
        return gettext("ÉvalPIC : %(sujet)s") % {"sujet": subject}

    def can_delete_email(self, email_address) -> bool:
        """Jamais le courriel de connexion (`Utilisateur.email`), même s'il n'est pas marqué
        principal : allauth passait alors l'identifiant au courriel qui restait, vérifié ou non.
        On retire son identifiant en rendant d'abord principal un autre courriel, vérifié
        (`quartiers.views_courriels`)."""
        identifiant = (email_address.user.email or "").lower()
        if email_address.email.lower() == identifiant:
            return False
        return super().can_delete_email(email_address)
