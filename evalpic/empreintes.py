"""La version d'un objet tirée de son contenu, pour la garde des modifications simultanées : un
formulaire porte, cachée, l'empreinte de ce qu'il a montré, et l'écriture compare celle de la
ligne verrouillée. Sans colonne de version : toute écriture qui change le contenu (page, API,
administration) change l'empreinte."""

from __future__ import annotations

import hashlib
import json


def empreinte(contenu: list) -> str:
    """16 chiffres hexadécimaux du SHA-256 de `contenu` écrit en JSON."""
    return hashlib.sha256(json.dumps(contenu).encode()).hexdigest()[:16]
