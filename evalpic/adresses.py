"""Les adresses absolues des courriels : l'adresse publique du site (`SITE_URL`) suivie d'un
chemin du site. Les rappels de saisie et les avis de bilan et de renvoi passent tous par ici."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix


def adresse_absolue(chemin: str) -> str:
    """L'adresse publique de `chemin` (« /bilans/2/ », tel que le rend `reverse`) : `SITE_URL`,
    avec ou sans barre finale, puis le chemin, une seule barre entre les deux (« …//bilans/2/ »
    répondrait 404). Un site servi sous un préfixe (`SITE_URL` « https://exemple.org/evalpic/ »)
    a ce préfixe dans `SITE_URL`; pendant une requête, `reverse` l'ajoute aussi (SCRIPT_NAME),
    pas dans un worker : il est retiré du chemin pour ne pas l'écrire deux fois."""
    prefixe = get_script_prefix()
    if prefixe != "/" and chemin.startswith(prefixe):
        chemin = chemin[len(prefixe) :]
    return settings.SITE_URL.rstrip("/") + "/" + chemin.lstrip("/")
