"""Ce que partagent les tâches Celery de chaque application."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task


class TacheSansAttente(Task):
    """Une tâche mise en file pendant une requête web : si la file est injoignable, l'envoi
    échoue aussitôt au lieu de faire attendre la page. Une seule tentative (ni les reprises de
    publication de Celery, ni celles de la connexion de kombu), sur une connexion à part; un
    Redis figé coupe au délai de socket de `CELERY_BROKER_TRANSPORT_OPTIONS` (2 s). L'appelant
    garde alors la ligne en attente, et le rattrapage la remet en file au retour de Redis."""

    def apply_async(self, args=None, kwargs=None, **options):
        if self.app.conf.task_always_eager or options.keys() & {"connection", "producer"}:
            return super().apply_async(args, kwargs, **options)
        options.setdefault("retry", False)
        with self.app.connection_for_write(transport_options={"max_retries": 0}) as connexion:
            return super().apply_async(args, kwargs, connection=connexion, **options)


def en_file_sinon_ici(
    mettre_en_file: Callable[[], object],
    faire_ici: Callable[[], object],
    *,
    quoi: str,
    journal: logging.Logger,
) -> None:
    """Met un travail en file (`mettre_en_file`, une `TacheSansAttente` qui échoue vite); si la
    file est injoignable, le journalise dans `journal` (`quoi` nomme le travail, sans son
    contenu) et le fait ici (`faire_ici`) plutôt que pas du tout."""
    try:
        mettre_en_file()
    except Exception as erreur:  # broker injoignable : le travail se fait d'ici
        journal.warning(
            "File de tâches injoignable : %s envoyé sans elle (%s: %s).",
            quoi,
            type(erreur).__name__,
            erreur,
        )
        faire_ici()
