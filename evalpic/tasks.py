"""Tâches transversales."""

from importlib import import_module

from celery import shared_task
from django.conf import settings

from evalpic.courriels import PANNES_D_ENVOI, envoyer_ou_journaliser, message_des_donnees
from evalpic.taches import TacheSansAttente

# Reprises d'un courriel raté : 1, 2, 4, 8 et 16 minutes après chaque échec (~31 minutes).
COURRIEL_REPRISES = 5
COURRIEL_PREMIER_DELAI = 60


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


@shared_task(base=TacheSansAttente, bind=True, name="evalpic.envoyer_courriel", ignore_result=True)
def envoyer_courriel_task(self, message: dict, modele: str) -> bool:
    """Envoie un courriel rédigé pendant une requête (`evalpic.courriels.message_en_donnees`).
    Une panne d'envoi est reprise COURRIEL_REPRISES fois, à délais doublés, puis journalisée à
    ERROR (modèle et destinataires, jamais le texte). Exécutée dans la requête (sans file), une
    seule tentative : les reprises s'y enchaîneraient sans délai, et un serveur figé ferait
    attendre la page autant de fois. Vrai si le courriel est parti."""
    courriel = message_des_donnees(message)
    if self.request.is_eager or self.request.retries >= COURRIEL_REPRISES:
        return envoyer_ou_journaliser(courriel, modele=modele)
    try:
        courriel.send()
    except PANNES_D_ENVOI as erreur:
        raise self.retry(
            exc=erreur,
            countdown=COURRIEL_PREMIER_DELAI * 2**self.request.retries,
            max_retries=COURRIEL_REPRISES,
        ) from erreur
    return True
