"""Les comptes tels que l'administration les tient : le courriel de connexion qu'elle pose, et
les comptes qu'elle ne peut pas supprimer sans effacer un nom de l'historique, le rôle qui
ouvre l'administration, et l'accès qu'elle retire sans attendre minuit.

Le courriel de connexion (`Utilisateur.email`) n'est pas le seul que la connexion et la
réinitialisation du mot de passe connaissent : allauth cherche d'abord parmi les courriels du
compte (`EmailAddress`, la page « Courriels »). Changer le premier sans les seconds laissait
l'ancienne adresse ouvrir le compte et en recevoir le lien de réinitialisation.
"""

from __future__ import annotations

import datetime
import operator
from functools import reduce

from allauth.account.models import EmailAddress
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from quartiers.models import Affectation, RoleGlobal, Utilisateur


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


def aligner_les_statuts(utilisateur: Utilisateur) -> None:
    """Les statuts de Django suivent le rôle transversal (sans enregistrer) : le rôle
    « administrateur·trice » a tous les droits dans le site (quartiers.acces) et ouvre
    l'administration (équipe et superutilisateur); aucun autre rôle ne l'ouvre. Avant, le rôle
    donné dans l'admin laissait « statut équipe » décoché : le menu n'offrait pas
    l'administration, et /admin/ la refusait."""
    administration = utilisateur.role_global == RoleGlobal.ADMIN
    utilisateur.is_staff = administration
    utilisateur.is_superuser = administration


def relations_d_historique() -> list:
    """Les clés vers un compte qui survivent à sa suppression (`SET_NULL`) : qui a soumis ou
    validé une saisie, écrit un événement de son historique ou un apprentissage, proposé un
    indicateur, demandé un bilan. Supprimer le compte effacerait son nom de ces lignes."""
    return [
        relation
        for relation in Utilisateur._meta.related_objects
        if relation.on_delete is models.SET_NULL
    ]


def auteurs_d_historique(utilisateurs: QuerySet[Utilisateur]) -> QuerySet[Utilisateur]:
    """Ceux de `utilisateurs` dont le nom figure dans l'historique (`relations_d_historique`) :
    leur compte se désactive (« Actif »), il ne se supprime pas. Une requête."""
    conditions = [
        Exists(relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")}))
        for relation in relations_d_historique()
    ]
    return utilisateurs.filter(reduce(operator.or_, conditions))


@transaction.atomic
def retirer_l_acces(
    *, affectations: QuerySet[Affectation], jour: datetime.date | None = None
) -> tuple[int, int]:
    """Les `affectations` cessent de donner accès dès maintenant, et non à minuit.

    `fin` est le dernier jour d'accès, inclus (`AffectationQuerySet.en_vigueur`) : une
    affectation commencée avant aujourd'hui finit donc hier. Une affectation qui commence
    aujourd'hui (ou plus tard) ne peut pas finir avant son début : elle est supprimée — elle
    n'a donné accès que ce jour-là, et rien ne renvoie à une affectation. Une affectation déjà
    finie avant aujourd'hui ne change pas. Renvoie (nombre terminées, nombre supprimées)."""
    jour = jour or timezone.localdate()
    en_cours = affectations.filter(Q(fin__isnull=True) | Q(fin__gte=jour))
    terminees = en_cours.filter(debut__lt=jour).update(fin=jour - datetime.timedelta(days=1))
    supprimees, _detail = en_cours.filter(debut__gte=jour).delete()
    return terminees, supprimees
