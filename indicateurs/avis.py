"""Les avis à la coordination d'une table quand l'évaluation lui renvoie sa saisie ou la
rouvre : un courriel à chaque personne qui la coordonne, dans sa langue, avec le motif.

L'événement de l'historique (`EvenementSaisie` de renvoi ou de réouverture) est le dossier de
l'avis : le service le met en file après la validation de sa transaction
(`annoncer_apres_validation`), la tâche `indicateurs.prevenir_du_renvoi` reçoit son
identifiant. Un échec d'envoi ne défait rien : le renvoi reste enregistré, et la saisie
renvoyée reste dans la boîte de la table avec son motif."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from evalpic.adresses import adresse_absolue
from evalpic.courriels import envoyer_dans_sa_langue
from evalpic.taches import en_file_sinon_ici
from indicateurs.models import EvenementSaisie, Saisie, TypeEvenement
from quartiers.acces import Droit, a_le_droit
from quartiers.models import Affectation, TableDeQuartier, Utilisateur

journal = logging.getLogger(__name__)

GABARIT = "emails/renvoi_saisie"
ANNONCES = (TypeEvenement.RENVOI, TypeEvenement.REOUVERTURE)


def annoncer_apres_validation(evenement: EvenementSaisie) -> None:
    """Met l'avis de `evenement` en file une fois la transaction validée (rien ne part pour un
    renvoi annulé). `robust` : une erreur de l'envoi est journalisée sans toucher la réponse."""
    evenement_id = evenement.pk
    transaction.on_commit(lambda: _mettre_en_file(evenement_id), robust=True)


def _mettre_en_file(evenement_id: int) -> None:
    """La tâche en file; si la file est injoignable, l'avis part tout de suite plutôt que pas
    du tout (`evalpic.taches.en_file_sinon_ici`)."""
    from indicateurs.tasks import prevenir_du_renvoi_task

    en_file_sinon_ici(
        lambda: prevenir_du_renvoi_task.delay(evenement_id),
        lambda: prevenir_du_renvoi(evenement_id=evenement_id),
        quoi=f"avis de l'événement {evenement_id}",
        journal=journal,
    )


def coordination_de(table: TableDeQuartier, jour: datetime.date) -> list[Utilisateur]:
    """Les personnes qui coordonnent `table` le jour `jour`, comme pour les rappels : comptes
    actifs, affectations de coordination en vigueur, et le droit de saisir ce quartier selon le
    sélecteur d'accès. Chacune une fois, même avec deux affectations qui se chevauchent."""
    affectations = (
        Affectation.objects.coordinations_en_poste(jour)
        .filter(quartier_id=table.quartier_id)
        .select_related("utilisateur")
        .order_by("utilisateur__email")
    )
    personnes = {a.utilisateur_id: a.utilisateur for a in affectations}
    return [p for p in personnes.values() if a_le_droit(p, Droit.SAISIR, table.quartier)]


def prevenir_du_renvoi(*, evenement_id: int) -> int:
    """Écrit à la coordination de la table que sa saisie lui a été renvoyée ou rouverte : le
    quartier, le trimestre, le motif, qui l'a fait, le lien de la saisie; à chacune dans sa
    langue. Pas à l'auteur·e, qui le sait. Renvoie le nombre de courriels partis."""
    evenement = (
        EvenementSaisie.objects.filter(pk=evenement_id, type_evenement__in=ANNONCES)
        .select_related("saisie__periode", "saisie__table__quartier", "auteur")
        .first()
    )
    if evenement is None:
        return 0
    contexte = {
        "motif": evenement.motif,
        "reouverture": evenement.type_evenement == TypeEvenement.REOUVERTURE,
    }
    return ecrire_a_la_coordination(evenement.saisie, GABARIT, contexte, auteur=evenement.auteur)


def ecrire_a_la_coordination(
    saisie: Saisie, gabarit: str, contexte: dict, *, auteur: Utilisateur | None, ancre: str = ""
) -> int:
    """Écrit `gabarit` à chaque personne qui coordonne aujourd'hui la table de `saisie`, sauf
    `auteur` (qui a agi et le sait), chacune dans sa langue : le contexte reçoit le quartier, le
    trimestre, qui a agi, le lien de la saisie (vers `ancre`) et le prénom de la personne.
    Renvoie le nombre de courriels partis."""
    quartier = saisie.table.quartier
    chemin = reverse(
        "saisie_formulaire", kwargs={"slug": quartier.slug, "code": saisie.periode.code}
    )
    contexte = {
        **contexte,
        "quartier": quartier.nom,
        "periode": saisie.periode,
        "auteur": str(auteur) if auteur else "",
        "lien": adresse_absolue(f"{chemin}#{ancre}" if ancre else chemin),
    }
    auteur_id = auteur.pk if auteur else None
    return sum(
        envoyer_dans_sa_langue(
            personne, gabarit, {**contexte, "nom": personne.first_name or str(personne)}
        )
        for personne in coordination_de(saisie.table, timezone.localdate())
        if personne.pk != auteur_id
    )
