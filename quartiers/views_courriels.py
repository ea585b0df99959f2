"""La page des courriels d'un compte (/comptes/email/) : celle d'allauth, avec une règle de plus
pour le courriel principal.

Le courriel principal est l'identifiant de connexion et l'adresse où part la réinitialisation du
mot de passe (`Utilisateur.email`). Il ne change que vers un courriel **vérifié** (sa personne a
suivi le lien reçu) qui n'est celui d'**aucun autre compte**. Sans cette règle, allauth laisse
rendre principal un courriel non vérifié tant que le compte n'en a aucun de vérifié, ce qui est le
cas de tout compte créé par l'administration (`ACCOUNT_EMAIL_VERIFICATION = "none"`) :
l'identifiant changeait sans preuve, et le courriel d'un autre compte finissait en erreur 500
(contrainte d'unicité). Le courriel de connexion est marqué principal et ne se retire pas
(`quartiers.adapters.AdaptateurCompte.can_delete_email`). Ajouter, retirer ou rendre principal demande en plus d'avoir donné son mot
de passe depuis moins de cinq minutes (`ACCOUNT_REAUTHENTICATION_REQUIRED`)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.account.views import EmailView
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quartiers.models import Utilisateur


def refus_du_principal(adresse: EmailAddress) -> str | None:
    """Pourquoi ce courriel ne peut pas devenir principal, ou None s'il le peut."""
    if not adresse.verified:
        return _(
            "Seul un courriel vérifié peut devenir principal : suivez d'abord le lien du "
            "courriel de vérification (« Renvoyer le courriel de vérification » au besoin)."
        )
    autre_compte = Utilisateur.objects.filter(email__iexact=adresse.email).exclude(
        pk=adresse.user_id
    )
    if autre_compte.exists():
        return _("Ce courriel est celui d'un autre compte : il ne peut pas devenir principal.")
    return None


def marquer_l_identifiant_principal(utilisateur) -> None:
    """Le courriel de connexion est le principal. allauth crée sa ligne, pour un compte fait
    par l'administration, sans la marquer principale : la page n'en montrait aucun, et son
    retrait passait l'identifiant au courriel qui restait. Sans effet si un principal existe.

    Deux onglets ouverts au même instant sur un compte sans cette ligne (comptes de la
    démonstration, `createsuperuser`) la créaient tous deux : le second finissait en erreur 500
    (unicité de l'utilisateur et du courriel, ou d'un seul principal). Chaque essai se fait dans
    un point de sauvegarde; celui qui perd la course relit et trouve le principal de l'autre."""
    if not utilisateur.email:
        return
    for essai in range(2):
        try:
            with transaction.atomic():
                _marquer_principal(utilisateur)
            return
        except IntegrityError:
            if essai:
                raise


def _marquer_principal(utilisateur) -> None:
    if EmailAddress.objects.filter(user=utilisateur, primary=True).exists():
        return
    adresse = EmailAddress.objects.filter(user=utilisateur, email__iexact=utilisateur.email).first()
    if adresse is None:
        EmailAddress.objects.create(
            user=utilisateur, email=utilisateur.email, primary=True, verified=False
        )
    else:
        adresse.primary = True
        adresse.save(update_fields=["primary"])


class PageDesCourriels(EmailView):
    # FormView traite PUT comme POST : la page se lit (GET, HEAD) et s'envoie (POST), rien d'autre.
    http_method_names = ["get", "head", "post"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            marquer_l_identifiant_principal(request.user)
        return super().dispatch(request, *args, **kwargs)

    def _action_primary(self, request, *args, **kwargs):
        adresse = self._get_email_address(request)
        refus = refus_du_principal(adresse) if adresse is not None else None
        if refus:
            messages.error(request, refus)
            return None  # la page, avec le message
        return super()._action_primary(request, *args, **kwargs)


page_des_courriels = PageDesCourriels.as_view()
