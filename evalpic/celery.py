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
    """Les adresses du site chargées dans chaque processus de travail (voir
    `evalpic.demarrage.charger_les_adresses`)."""
    from evalpic.demarrage import charger_les_adresses

    charger_les_adresses()
