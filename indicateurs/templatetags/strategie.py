"""Ce que la théorie du changement montre à qui tient la stratégie du quartier
(`services_strategie`) : préparer une nouvelle version, rejoindre le brouillon, son état
(soumis, renvoyé), l'examiner. Aucune requête pour l'évaluation et l'administration, une pour la
coordination (`voit_les_brouillons`)."""

from __future__ import annotations

from django import template

from indicateurs.models import StatutStrategie
from indicateurs.models.strategie import voit_les_brouillons
from indicateurs.services_strategie import gere_les_strategies as _gere

register = template.Library()


@register.simple_tag
def gere_les_strategies(utilisateur) -> bool:
    """L'évaluation et l'administration : elles adoptent et renvoient les brouillons."""
    return _gere(utilisateur)


@register.simple_tag
def tient_la_strategie(utilisateur, quartier) -> bool:
    """Qui prépare, modifie et abandonne le brouillon de `quartier` : sa coordination,
    l'évaluation et l'administration."""
    return voit_les_brouillons(utilisateur, quartier)


@register.simple_tag
def brouillon_parmi(versions):
    """Le brouillon parmi les versions déjà lues (le plus récent), sinon None."""
    return next((v for v in versions if v.statut == StatutStrategie.BROUILLON), None)
