"""Tâches périodiques de la saisie trimestrielle (planifiées dans `CELERY_BEAT_SCHEDULE`).

Des adaptateurs minces : le calendrier et les rappels vivent dans `indicateurs.periodes`, et
chaque service est sans effet quand il n'a rien à faire, donc une relance est sans danger.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from indicateurs.periodes import envoyer_rappels, planifier_periodes


@shared_task(name="indicateurs.planifier_periodes")
def planifier_periodes_task() -> list[str]:
    """Ouvre et ferme les périodes selon le calendrier du jour; renvoie les codes changés."""
    periodes = planifier_periodes(aujourd_hui=timezone.localdate())
    return [periode.code for periode in periodes]


@shared_task(name="indicateurs.envoyer_rappels")
def envoyer_rappels_task() -> int:
    """Envoie les rappels d'échéance et de retard du jour; renvoie le nombre de courriels."""
    return envoyer_rappels(aujourd_hui=timezone.localdate())
