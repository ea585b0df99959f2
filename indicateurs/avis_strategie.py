"""Les avis de la stratégie soumise à l'évaluation (`services_strategie`) : à l'évaluation quand
la coordination lui soumet un brouillon, à la personne qui l'a soumis quand l'évaluation le lui
renvoie (avec le motif) ou l'adopte. Un courriel à chacune, dans sa langue, rédigé après la
validation de la transaction (rien ne part pour une décision annulée) et envoyé hors de la
requête par la file (`evalpic.courriels.envoyer_hors_de_la_requete`, la tâche
`evalpic.envoyer_courriel`). Un échec ne défait rien : l'état du brouillon se lit sur la
théorie du changement, et les brouillons soumis sur la page des propositions."""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse

from evalpic.adresses import adresse_absolue
from evalpic.courriels import courriel_dans_sa_langue, envoyer_hors_de_la_requete
from indicateurs.models import StatutStrategie, StrategieDeChangement
from indicateurs.models.strategie import voit_les_brouillons
from quartiers.models import RoleGlobal, Utilisateur

journal = logging.getLogger(__name__)

SOUMISE, RENVOYEE, ADOPTEE = "soumise", "renvoyee", "adoptee"
GABARIT = "emails/strategie_{}"


def annoncer(evenement: str, strategie_id: int, auteur_id: int | None = None) -> None:
    """Écrit l'avis de `evenement` une fois la transaction validée. `robust` : une erreur est
    journalisée sans toucher la réponse."""
    transaction.on_commit(lambda: prevenir(evenement, strategie_id, auteur_id), robust=True)


def prevenir(evenement: str, strategie_id: int, auteur_id: int | None = None) -> int:
    """Met en file le courriel de chaque personne à prévenir; renvoie leur nombre."""
    strategie = (
        StrategieDeChangement.objects.filter(pk=strategie_id)
        .select_related("quartier", "soumise_par", "renvoyee_par")
        .first()
    )
    if strategie is None:
        return 0
    destinataires = [p for p in _a_prevenir(evenement, strategie) if p.pk != auteur_id]
    quartier = strategie.quartier
    if evenement == ADOPTEE or strategie.statut != StatutStrategie.BROUILLON:
        chemin = reverse("theorie_du_changement", kwargs={"slug": quartier.slug})
    else:
        chemin = reverse("strategie_brouillon", kwargs={"slug": quartier.slug, "pk": strategie.pk})
    contexte = {
        "quartier": quartier.nom,
        "version": strategie.version,
        "soumise_par": str(strategie.soumise_par or ""),
        "renvoyee_par": str(strategie.renvoyee_par or ""),
        "motif": strategie.motif_renvoi,
        "adoptee_le": strategie.adoptee_le,
        "lien": adresse_absolue(chemin),
    }
    gabarit = GABARIT.format(evenement)
    for personne in destinataires:
        message = courriel_dans_sa_langue(
            personne, gabarit, {**contexte, "nom": personne.first_name or str(personne)}
        )
        envoyer_hors_de_la_requete(message, modele=gabarit)
    return len(destinataires)


def _a_prevenir(evenement: str, strategie: StrategieDeChangement) -> list[Utilisateur]:
    """Soumis : l'évaluation active. Renvoyé ou adopté : qui l'avait soumis, s'il tient encore
    la stratégie du quartier (compte actif, affectation en vigueur)."""
    if evenement == SOUMISE:
        if not strategie.est_soumise:
            return []  # renvoyé ou abandonné avant l'envoi
        return list(
            Utilisateur.objects.filter(role_global=RoleGlobal.EVALUATEUR, is_active=True).order_by(
                "email"
            )
        )
    personne = strategie.soumise_par
    if personne is None or not voit_les_brouillons(personne, strategie.quartier):
        return []
    return [personne]
