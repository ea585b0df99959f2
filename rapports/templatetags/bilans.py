"""Les petits filtres du gabarit d'un bilan (`rapports/_bilan_contenu.html`)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def noms(quartiers: list[dict]) -> str:
    """Les noms des quartiers d'un instantané, dans leur ordre, séparés par des virgules (la
    couverture du bilan du PIC les nomme tous)."""
    return ", ".join(q["nom"] for q in quartiers)
