"""Le journal : ce qu'un refus fait au client écrit, et ce qu'il n'écrit pas.

Django écrit chaque réponse 4xx issue d'une exception (PermissionDenied : 403, BadRequest : 400)
au journal `django.request`, à WARNING, avec la pile de l'exception : une trentaine de lignes par
refus, pour une situation prévue (une personne qui ouvre une page hors de ses droits). Ce filtre
(LOGGING, evalpic/settings.py) garde la ligne — statut, chemin — et retire la pile. Une erreur du
serveur (5xx) garde la sienne.
"""

from __future__ import annotations

import logging


class SansPileDesErreursDuClient(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        statut = getattr(record, "status_code", None)
        if isinstance(statut, int) and 400 <= statut < 500:
            record.exc_info = None
            record.exc_text = None
        return True
