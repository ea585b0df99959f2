"""Tâches Celery des bilans : de minces adaptateurs qui reçoivent des identifiants et appellent
les services (`rapports.services`)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from evalpic.taches import TacheSansAttente
from rapports import avis_bilans, nettoyage, repartition, services


@shared_task(
    base=TacheSansAttente,
    name="rapports.generer_bilan",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    # La ligne Bilan est le dossier de la tâche : aucun résultat à stocker. Sans cela, l'envoi
    # s'abonne d'abord au stockage des résultats (Redis aussi), et une panne y coûte ~20 s.
    ignore_result=True,
)
def generer_bilan_task(bilan_id: int) -> str | None:
    bilan = services.generer_bilan(bilan_id=bilan_id)
    return bilan.statut if bilan else None


@shared_task(
    name="rapports.peindre_tranche",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
)
def peindre_tranche_task(bilan_id: int, tentative: int, rangs: list[int]) -> dict | None:
    return repartition.peindre_tranche(bilan_id=bilan_id, tentative=tentative, rangs=rangs)


@shared_task(name="rapports.terminer_bilan", acks_late=True, soft_time_limit=600, time_limit=660)
def terminer_bilan_task(tranches: list[dict | None], bilan_id: int, tentative: int) -> str | None:
    bilan = repartition.terminer_bilan(bilan_id=bilan_id, tentative=tentative, tranches=tranches)
    return bilan.statut if bilan else None


@shared_task(name="rapports.planifier_bilans")
def planifier_bilans_task() -> list[int]:
    return [b.pk for b in services.planifier_bilans(aujourd_hui=timezone.localdate())]


@shared_task(name="rapports.recuperer_bilans_bloques")
def recuperer_bilans_bloques_task() -> list[int]:
    return services.recuperer_bilans_bloques()


@shared_task(name="rapports.nettoyer_fichiers_orphelins")
def nettoyer_fichiers_orphelins_task() -> int:
    return len(nettoyage.nettoyer_fichiers_orphelins())


@shared_task(name="rapports.reprendre_avis_bilans")
def reprendre_avis_bilans_task() -> int:
    """Envoie les avis « bilan prêt » restés sans envoi (envoi raté, worker arrêté); renvoie le
    nombre de courriels."""
    return avis_bilans.reprendre_avis_bilans()
