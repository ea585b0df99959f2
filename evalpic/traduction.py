"""Des textes traduits une fois par langue plutôt qu'à chaque appel.

Un tableau de bord dessine des centaines de figures et de tableaux qui portent tous les mêmes
libellés (« Valeurs », « Cible », les en-têtes de colonnes…) : chaque `gettext` coûte quelques
microsecondes, ce qui fait des millisecondes par page. Les catalogues ne changent pas pendant
que le processus tourne, si bien qu'un texte traduit dans une langue le reste.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.utils.translation import get_language

T = TypeVar("T")


def une_fois_par_langue(fonction: Callable[[], T]) -> Callable[[], T]:
    """Décorateur : `fonction()` (sans argument, qui traduit des textes) est calculée une fois
    par langue active, puis resservie. Ce qu'elle rend ne doit dépendre que de la langue."""

    @functools.lru_cache(maxsize=16)
    def dans_la_langue(_langue: str) -> T:
        return fonction()

    @functools.wraps(fonction)
    def traduite() -> T:
        return dans_la_langue(get_language() or "fr")

    traduite.cache_clear = dans_la_langue.cache_clear  # pour les tests
    return traduite
