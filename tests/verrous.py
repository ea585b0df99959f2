"""Pour les tests de concurrence sur de vraies transactions : savoir qu'un fil attend le verrou
qu'un autre tient encore."""

from __future__ import annotations

import time

from django.db import connection


def attendre_une_ecriture_bloquee(delai: float = 5.0) -> bool:
    """Vrai dès qu'une connexion de la base de test attend un verrou (une ligne verrouillée, un
    index d'unicité) que tient la transaction encore ouverte d'un autre fil; faux après
    `delai` secondes sans attente."""
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        with connection.cursor() as curseur:
            curseur.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if curseur.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False
