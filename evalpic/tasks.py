"""Tâches transversales."""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="evalpic.ping")
def ping() -> str:
    """Répond « pong » : sert à vérifier qu'un worker consomme la file."""
    return "pong"


@shared_task(name="evalpic.purger_sessions_expirees")
def purger_sessions_expirees() -> None:
    """Efface les sessions expirées (beat, chaque nuit) : les sessions sont en base, et Django ne
    les retire jamais seul (c'est `manage.py clearsessions`)."""
    moteur = import_module(settings.SESSION_ENGINE)
    moteur.SessionStore.clear_expired()
