"""Ce qu'un processus de service charge avant sa première requête ou sa première tâche."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def charger_les_adresses() -> None:
    """Les adresses du site, chargées une fois par langue : modules des vues importés et table
    inverse construite. Sans cela, la première requête (ou le premier courriel « bilan prêt »
    d'un worker, sur le chemin en série de la fin d'un bilan) paie ~0,4 s."""
    for langue, _nom in settings.LANGUAGES:
        with translation.override(langue):
            get_resolver().reverse_dict  # noqa: B018 (construit la table inverse de la langue)
