"""`/sante/` : l'état de chaque dépendance, pour les sondes de l'orchestrateur et l'exploitation.

200 tant que la base répond (la plateforme sert ses pages même sans file de tâches), 503 sinon.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from evalpic.celery import app as celery_app

OK, PAS_OK = "ok", "not ok"


def _verifier_base() -> tuple[str, str]:
    """Deux essais : une connexion persistante coupée par un redémarrage de la base échoue au
    premier, sur une connexion neuve; la base n'est dite en panne que si elle refuse aussi."""
    for essai in range(2):
        try:
            with connection.cursor() as curseur:
                curseur.execute("SELECT 1")
            return OK, connection.vendor
        except Exception as erreur:  # toute panne de la base doit se lire ici, pas en 500
            if essai == 0:
                connection.close()
            derniere = erreur
    return PAS_OK, type(derniere).__name__


def _verifier_broker() -> tuple[str, str]:
    if not settings.CELERY_BROKER_URL:
        return OK, "embarqué : tâches exécutées dans le processus web"
    try:
        with celery_app.connection_for_write() as connexion:
            connexion.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return OK, connexion.transport_cls
    except Exception as erreur:  # broker injoignable : on le dit, sans planter
        return PAS_OK, type(erreur).__name__


def _verifier_worker(broker: str) -> tuple[str, str]:
    if not settings.CELERY_BROKER_URL:
        return OK, "embarqué"
    if broker != OK:
        return PAS_OK, "broker injoignable"
    try:
        reponses = celery_app.control.ping(timeout=1.0)
    except Exception as erreur:
        return PAS_OK, type(erreur).__name__
    if not reponses:
        return PAS_OK, "aucun worker n'a répondu"
    return OK, f"{len(reponses)} worker(s)"


@never_cache
@require_GET
def sante(request):
    base, detail_base = _verifier_base()
    broker, detail_broker = _verifier_broker()
    worker, detail_worker = _verifier_worker(broker)
    corps = {
        "database": base,
        "broker": broker,
        "worker": worker,
        "details": {"database": detail_base, "broker": detail_broker, "worker": detail_worker},
    }
    return JsonResponse(corps, status=200 if base == OK else 503)
