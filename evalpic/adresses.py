"""Les adresses absolues des courriels : l'adresse publique du site (`SITE_URL`) suivie d'un
chemin du site. Les rappels de saisie et les avis « bilan prêt » passent tous par ici."""

from __future__ import annotations

from django.conf import settings


def adresse_absolue(chemin: str) -> str:
    """L'adresse publique de `chemin` (« /bilans/2/ ») : `SITE_URL`, avec ou sans barre finale,
    puis le chemin, une seule barre entre les deux (« …//bilans/2/ » répondrait 404)."""
    return settings.SITE_URL.rstrip("/") + "/" + chemin.lstrip("/")
