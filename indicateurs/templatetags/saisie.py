"""Filtres des pages de la saisie trimestrielle."""

from __future__ import annotations

import re

from django import template

from evalpic.nombres import nombre
from indicateurs.historique import decrire_pour_l_historique
from indicateurs.models import Unite

register = template.Library()

# Ce que `services.decrire` écrit d'une valeur numérique : le nombre (« 93200 », « 3.8 »), suivi
# ou non de « — commentaire : … ».
_VALEUR_DECRITE = re.compile(r"(-?\d+(?:\.\d+)?)((?: — .*)?)", re.DOTALL)


@register.filter
def valeur_decrite(texte: str, indicateur) -> str:
    """Une valeur décrite par `services.decrire` pour un conflit (« 93200 — commentaire : … »),
    son nombre écrit dans la langue de la page (« 93 200 », « 3,8 ») par le filtre `nombre`; un
    texte ou une absence (« non disponible (…) ») restent tels quels."""
    if not texte or indicateur is None or indicateur.unite == Unite.TEXTE:
        return texte
    correspondance = _VALEUR_DECRITE.fullmatch(texte)
    if correspondance is None:
        return texte
    return nombre(correspondance[1]) + correspondance[2]


@register.filter
def historique_decrit(texte: str, indicateur) -> str:
    """« Avant » ou « après » d'une ligne de l'historique, écrit dans la langue de la page : une
    valeur (« 93 200 — commentaire : … », « not available (…) ») ou, sans indicateur, un statut
    (« validée », « validated »). L'historique garde des données, pas des phrases
    (indicateurs.historique)."""
    return decrire_pour_l_historique(texte, indicateur)
