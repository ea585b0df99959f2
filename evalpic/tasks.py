"""Tâches transversales."""

from celery import shared_task


@shared_task(name="evalpic.ping")
def ping() -> str:
    """Répond « pong » : sert à vérifier qu'un worker consomme la file."""
    return "pong"
