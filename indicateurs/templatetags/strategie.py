"""Ce que la théorie du changement montre à qui tient les stratégies (`services_strategie`) :
préparer une nouvelle version, ou rejoindre le brouillon. Aucune requête."""

from __future__ import annotations

from django import template

from indicateurs.models import StatutStrategie
from indicateurs.services_strategie import gere_les_strategies as _gere

register = template.Library()


@register.simple_tag
def gere_les_strategies(utilisateur) -> bool:
    return _gere(utilisateur)


@register.simple_tag
def brouillon_parmi(versions):
    """Le brouillon parmi les versions déjà lues (le plus récent), sinon None."""
    return next((v for v in versions if v.statut == StatutStrategie.BROUILLON), None)
