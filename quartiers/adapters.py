"""Adaptation d'allauth : pas d'inscription publique, les comptes sont créés par l'administration;
les courriels d'allauth (réinitialisation du mot de passe) partent dans la langue de la personne."""

import contextlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as contexte_allauth
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evalpic.courriels import envoyer_hors_de_la_requete
from quartiers.models import Utilisateur


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

        Le courriel est rédigé ici et envoyé hors de la requête
        (`evalpic.courriels.envoyer_hors_de_la_requete`) : un serveur SMTP figé ne fait pas
        attendre la page (ni un processus gunicorn), et la page d'une adresse qui a un compte
        répond aussi vite et de la même façon que celle d'une adresse inconnue, même si l'envoi
        échoue (il est repris, puis écrit au journal à ERROR avec le modèle et le destinataire,
        jamais le texte, qui porte le lien de réinitialisation)."""
        personne = context.get("user")
        langue = (
            translation.override(personne.langue)
            if isinstance(personne, Utilisateur)
            else contextlib.nullcontext()
        )
        requete = contexte_allauth.request
        # Le contexte d'allauth (DefaultAccountAdapter.send_mail), sans son envoi.
        contexte = {"request": requete, "email": email, "current_site": get_current_site(requete)}
        contexte.update(context)
        with langue:
            message = self.render_mail(template_prefix, email, contexte)
        envoyer_hors_de_la_requete(message, modele=template_prefix)

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
