"""Filtres des pages de la saisie trimestrielle."""

from __future__ import annotations

import re

from django import template

from evalpic.nombres import nombre
from indicateurs.models import Unite

register = template.Library()

# Ce que `services.decrire` écrit d'une valeur numérique : le nombre (« 93200 », « 3.8 »), suivi
# ou non de « — commentaire : … ».
_VALEUR_DECRITE = re.compile(r"(-?\d+(?:\.\d+)?)((?: — .*)?)", re.DOTALL)


@register.filter
def valeur_decrite(texte: str, indicateur) -> str:
    """Une valeur de l'historique (« 93200 — commentaire : … »), son nombre écrit dans la
    langue de la page (« 93 200 », « 3,8 ») par le filtre `nombre`; un texte, une absence
    (« non disponible (…) ») ou un changement de statut restent tels quels."""
    if not texte or indicateur is None or indicateur.unite == Unite.TEXTE:
        return texte
    correspondance = _VALEUR_DECRITE.fullmatch(texte)
    if correspondance is None:
        return texte
    return nombre(correspondance[1]) + correspondance[2]
