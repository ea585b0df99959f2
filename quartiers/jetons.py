"""Créer, authentifier et révoquer les jetons personnels d'API.

Un nouveau mot de passe, ou son retrait, révoque les jetons de sa personne
(`revoquer_au_nouveau_mot_de_passe`) : comme les sessions, qu'il déconnecte, un jeton créé par
qui a volé la session ou le mot de passe ne survit pas au changement qui reprend le compte."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from evalpic.textes import texte_saisi
from quartiers.models import JetonAPI, MotifRevocation, Utilisateur

PREFIXE_CLE = "evp_"
INTERVALLE_DERNIER_USAGE = datetime.timedelta(minutes=1)


def empreinte(cle: str) -> str:
    return hashlib.sha256(cle.encode("utf-8")).hexdigest()


def creer_jeton(
    *, utilisateur: Utilisateur, nom: str, cle_envoi: uuid.UUID | None = None
) -> tuple[JetonAPI, str | None]:
    """Crée un jeton et renvoie sa clé en clair, qui ne sera plus jamais montrée.

    `cle_envoi` est celle du formulaire : s'il a déjà créé un jeton de cette personne (le même
    formulaire envoyé deux fois, un double clic), c'est ce jeton qui est renvoyé, sans clé (elle
    a été donnée au premier envoi), et rien n'est créé. La contrainte d'unicité le garantit
    aussi pour deux envois simultanés : le second attend le premier, puis le retrouve."""
    nom = texte_saisi(nom)
    if not nom:
        raise ValidationError({"nom": [_("Donnez un nom au jeton (à quoi il sert).")]})
    if len(nom) > 100:
        raise ValidationError({"nom": [_("Le nom dépasse 100 caractères.")]})
    cle = PREFIXE_CLE + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            jeton = JetonAPI.objects.create(
                utilisateur=utilisateur,
                nom=nom,
                prefixe=cle[:12],
                empreinte=empreinte(cle),
                cle_envoi=cle_envoi,
            )
    except IntegrityError:
        deja = JetonAPI.objects.filter(utilisateur=utilisateur, cle_envoi=cle_envoi).first()
        if cle_envoi is None or deja is None:  # la clé d'envoi d'une autre personne
            raise ValidationError(
                {"nom": [_("Ce formulaire a expiré : rechargez la page et recommencez.")]}
            ) from None
        return deja, None
    return jeton, cle


def revoquer_jeton(*, jeton: JetonAPI) -> None:
    """Révoque le jeton : la requête suivante qui l'utilise reçoit 401."""
    JetonAPI.objects.filter(pk=jeton.pk, revoque_le__isnull=True).update(revoque_le=timezone.now())


def revoquer_les_jetons(*, utilisateur: Utilisateur, motif: str) -> int:
    """Révoque les jetons encore actifs de cette personne, avec leur motif; leur nombre."""
    return (
        JetonAPI.objects.actifs()
        .filter(utilisateur=utilisateur)
        .update(revoque_le=timezone.now(), motif_revocation=motif)
    )


@receiver(post_save, sender=Utilisateur, dispatch_uid="quartiers.jetons.nouveau_mot_de_passe")
def revoquer_au_nouveau_mot_de_passe(sender, instance: Utilisateur, created: bool, **kwargs):
    """Un mot de passe changé, réinitialisé ou retiré, d'où qu'il vienne (profil et lien de
    réinitialisation d'allauth, administration, `manage.py changepassword`), révoque les jetons
    de sa personne. Changer passe par `set_password`, qui garde le mot de passe en clair sur
    l'objet (`_password`) jusqu'à la fin de `save` : c'est ce que Django lui-même regarde pour
    prévenir les validateurs de mot de passe. Le retirer (`set_unusable_password`, ce que fait
    l'administration pour « Authentification par mot de passe : désactivée », la façon de
    bloquer un compte compromis) ne le garde pas : `Utilisateur` le marque
    (`_mot_de_passe_retire`). La mise à niveau du hachage à la connexion (même mot de passe,
    `check_password`) efface `_password` avant d'enregistrer : elle ne révoque rien, pas plus
    qu'un profil enregistré."""
    retire = getattr(instance, "_mot_de_passe_retire", False)
    instance._mot_de_passe_retire = False
    if not created and (retire or getattr(instance, "_password", None) is not None):
        revoquer_les_jetons(utilisateur=instance, motif=MotifRevocation.MOT_DE_PASSE)


def authentifier(cle: str) -> JetonAPI | None:
    """Le jeton actif de cette clé (et d'une personne active), sinon None. Note le dernier
    usage au plus une fois par minute."""
    jeton = (
        JetonAPI.objects.actifs()
        .select_related("utilisateur")
        .filter(empreinte=empreinte(cle), utilisateur__is_active=True)
        .first()
    )
    if jeton is None:
        return None
    maintenant = timezone.now()
    if jeton.dernier_usage is None or maintenant - jeton.dernier_usage > INTERVALLE_DERNIER_USAGE:
        JetonAPI.objects.filter(pk=jeton.pk).update(dernier_usage=maintenant)
        jeton.dernier_usage = maintenant
    return jeton
