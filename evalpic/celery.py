"""L'application Celery. Sans CELERY_BROKER_URL, les tâches s'exécutent dans le processus."""

import logging
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalpic.settings")

app = Celery("evalpic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _demarrer_kaleido(**_kwargs) -> None:
    """Un serveur kaleido par processus de worker : ~0,15 s par graphique au lieu de ~2 s."""
    try:
        from rapports.images import demarrer_kaleido

        demarrer_kaleido(prechauffer=True)
    except Exception:  # pas de chromium : les bilans échoueront avec un message clair
        logging.getLogger(__name__).exception("kaleido n'a pas pu démarrer")


@worker_process_init.connect
def _preparer_les_adresses(**_kwargs) -> None:
    """Les adresses du site, chargées une fois par processus et par langue (modules des vues
    importés, table inverse construite) : le premier courriel « bilan prêt » ne paie pas ces
    ~0,4 s, sur le chemin en série de la fin d'un bilan."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    for langue, _nom in settings.LANGUAGES:
        with translation.override(langue):
            get_resolver().reverse_dict  # noqa: B018 (construit la table inverse de la langue)
