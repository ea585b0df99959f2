"""Les comptes tels que l'administration les tient : le courriel de connexion qu'elle pose.

Le courriel de connexion (`Utilisateur.email`) n'est pas le seul que la connexion et la
réinitialisation du mot de passe connaissent : allauth cherche d'abord parmi les courriels du
compte (`EmailAddress`, la page « Courriels »). Changer le premier sans les seconds laissait
l'ancienne adresse ouvrir le compte et en recevoir le lien de réinitialisation.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from quartiers.models import Utilisateur


def courriel_pris_ailleurs(courriel: str, *, sauf: Utilisateur | None = None) -> bool:
    """Vrai si `courriel` (à la casse près) est le courriel de connexion d'un autre compte que
    `sauf`, ou l'un des courriels de sa page « Courriels » : ces deux-là ouvrent une session."""
    pk = sauf.pk if sauf is not None else None
    return (
        Utilisateur.objects.filter(email__iexact=courriel).exclude(pk=pk).exists()
        or EmailAddress.objects.filter(email__iexact=courriel).exclude(user_id=pk).exists()
    )


@transaction.atomic
def aligner_les_courriels(*, utilisateur: Utilisateur) -> None:
    """Après que l'administration a posé le courriel de connexion de `utilisateur` (création du
    compte ou changement) : c'est désormais son seul courriel, principal et vérifié (c'est
    l'administration qui l'a posé). Les autres courriels du compte, l'ancien compris, sont
    retirés : ils ne peuvent plus ouvrir de session ni recevoir la réinitialisation du mot de
    passe. allauth compare les courriels en minuscules : la ligne est écrite ainsi."""
    courriel = utilisateur.email.lower()
    EmailAddress.objects.filter(user=utilisateur).exclude(email=courriel).delete()
    EmailAddress.objects.update_or_create(
        user=utilisateur, email=courriel, defaults={"primary": True, "verified": True}
    )
