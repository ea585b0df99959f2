"""Outils communs du banc d'essai : chronométrage, requêtes, utilisateur de mesure, rapport."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import django


def preparer_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalpic.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    django.setup()


def mediane_ms(fonction: Callable[[], object], repetitions: int) -> float:
    """Médiane du temps d'exécution (ms) après un appel d'échauffement."""
    fonction()
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        fonction()
        durees.append((time.perf_counter() - debut) * 1000)
    return statistics.median(durees)


def compter_requetes(fonction: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        fonction()
    return len(requetes)


def requete_sql(sql: str, parametres: list | tuple = ()) -> Callable[[], list]:
    """Le plancher : une seule requête SQL écrite à la main, lue entièrement."""
    from django.db import connection

    def executer() -> list:
        with connection.cursor() as curseur:
            curseur.execute(sql, parametres)
            return curseur.fetchall()

    return executer


def utilisateur_de_mesure(role_global: str = "evaluateur"):
    from quartiers.models import Utilisateur

    utilisateur, _ = Utilisateur.objects.get_or_create(
        email=f"banc-{role_global}@evalpic.invalid", defaults={"role_global": role_global}
    )
    return utilisateur


@dataclass
class Mesure:
    nom: str
    page_ms: float
    plancher_ms: float
    requetes: int

    @property
    def ratio(self) -> float:
        return self.page_ms / self.plancher_ms if self.plancher_ms else float("inf")


def imprimer(titre: str, mesures: list[Mesure]) -> None:
    print(f"\n{titre}")
    print(f"{'opération':<44} {'médiane':>10} {'plancher SQL':>13} {'ratio':>7} {'requêtes':>9}")
    for m in mesures:
        print(
            f"{m.nom:<44} {m.page_ms:>8.1f} ms {m.plancher_ms:>10.1f} ms "
            f"{m.ratio:>6.1f}× {m.requetes:>9}"
        )
