"""Tâches Celery des bilans : de minces adaptateurs qui reçoivent des identifiants et appellent
les services (`rapports.services`)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from rapports import services


@shared_task(
    name="rapports.generer_bilan",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def generer_bilan_task(bilan_id: int) -> str | None:
    bilan = services.generer_bilan(bilan_id=bilan_id)
    return bilan.statut if bilan else None


@shared_task(
    name="rapports.images_du_quartier",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
)
def images_du_quartier_task(bilan_id: int, tentative: int, rang: int) -> dict[str, str]:
    return services.images_du_quartier(bilan_id=bilan_id, tentative=tentative, rang=rang)


@shared_task(name="rapports.assembler_bilan", acks_late=True, soft_time_limit=600, time_limit=660)
def assembler_bilan_task(
    parties: list[dict[str, str]], bilan_id: int, tentative: int
) -> str | None:
    images = {cle: image for partie in parties for cle, image in partie.items()}
    bilan = services.assembler_bilan(bilan_id=bilan_id, tentative=tentative, images=images)
    return bilan.statut if bilan else None


@shared_task(name="rapports.planifier_bilans")
def planifier_bilans_task() -> list[int]:
    return [b.pk for b in services.planifier_bilans(aujourd_hui=timezone.localdate())]


@shared_task(name="rapports.recuperer_bilans_bloques")
def recuperer_bilans_bloques_task() -> list[int]:
    return services.recuperer_bilans_bloques()
