"""Tâches de la saisie trimestrielle : les périodiques (planifiées dans `CELERY_BEAT_SCHEDULE`)
et les avis d'un renvoi, d'une réouverture ou d'un commentaire (mis en file par le service, après
sa transaction).

Des adaptateurs minces : le calendrier et les rappels vivent dans `indicateurs.periodes`, les
avis dans `indicateurs.avis`. Les tâches périodiques sont sans effet quand elles n'ont rien à
faire, donc une relance est sans danger; l'avis, lui, est mis en file une seule fois par
événement, et un avis relancé à la main repartirait.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from evalpic.taches import TacheSansAttente
from indicateurs.avis import prevenir_du_renvoi
from indicateurs.periodes import envoyer_rappels, planifier_periodes, reprendre_rappels
from indicateurs.services_commentaires import prevenir_du_commentaire


@shared_task(name="indicateurs.planifier_periodes")
def planifier_periodes_task() -> list[str]:
    """Ouvre et ferme les périodes selon le calendrier du jour; renvoie les codes changés."""
    periodes = planifier_periodes(aujourd_hui=timezone.localdate())
    return [periode.code for periode in periodes]


@shared_task(name="indicateurs.envoyer_rappels")
def envoyer_rappels_task() -> int:
    """Envoie les rappels d'échéance et de retard du jour; renvoie le nombre de courriels."""
    return envoyer_rappels(aujourd_hui=timezone.localdate())


@shared_task(name="indicateurs.reprendre_rappels")
def reprendre_rappels_task() -> int:
    """Envoie les rappels réservés puis abandonnés par un worker arrêté; renvoie le nombre de
    courriels."""
    return reprendre_rappels(aujourd_hui=timezone.localdate())


@shared_task(base=TacheSansAttente, name="indicateurs.prevenir_du_renvoi", ignore_result=True)
def prevenir_du_renvoi_task(evenement_id: int) -> int:
    """Écrit à la coordination que sa saisie lui est renvoyée ou rouverte (l'événement
    `evenement_id` de l'historique); renvoie le nombre de courriels."""
    return prevenir_du_renvoi(evenement_id=evenement_id)


@shared_task(base=TacheSansAttente, name="indicateurs.prevenir_du_commentaire", ignore_result=True)
def prevenir_du_commentaire_task(commentaire_id: int) -> int:
    """Écrit à la coordination qu'une autre personne a commenté sa saisie (le commentaire
    `commentaire_id`); renvoie le nombre de courriels."""
    return prevenir_du_commentaire(commentaire_id=commentaire_id)
