"""Outils communs du banc d'essai : chronométrage, requêtes, utilisateur de mesure, rapport."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import django


def preparer_django(*, production: bool = False) -> None:
    """Django prêt à mesurer. `production` : les réglages servis aux personnes (DEBUG faux :
    ni journal des requêtes SQL, ni gabarits en mode débogage, ni page d'erreur technique), avec
    une clé secrète jetable si aucune n'est donnée; les pages se demandent alors en HTTPS
    (`secure=True`), comme derrière le mandataire."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalpic.settings")
    if production:
        os.environ["DJANGO_DEBUG"] = "false"
        os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
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
    ratio: float  # médiane des ratios des paires (voir `mesurer_contre_plancher`)


def _duree_ms(fonction: Callable[[], object]) -> float:
    debut = time.perf_counter()
    fonction()
    return (time.perf_counter() - debut) * 1000


def mesurer_contre_plancher(
    nom: str, page: Callable[[], object], plancher: Callable[[], object], repetitions: int
) -> Mesure:
    """La page et son plancher mesurés en alternance, par paires prises coup sur coup, après un
    appel d'échauffement de chacun. La vitesse de cette machine virtuelle dérive (±20 % en
    quelques minutes, le plancher comme la page) : deux séries mesurées l'une après l'autre
    donnent des ratios qui varient du simple au double, alors que les deux moitiés d'une paire
    voient la même machine. Le ratio est la médiane des ratios des paires; les temps, les
    médianes de chaque côté."""
    page()
    plancher()
    paires = [(_duree_ms(page), _duree_ms(plancher)) for _ in range(repetitions)]
    return Mesure(
        nom=nom,
        page_ms=statistics.median(p for p, _f in paires),
        plancher_ms=statistics.median(f for _p, f in paires),
        requetes=compter_requetes(page),
        ratio=statistics.median(p / f for p, f in paires),
    )


def imprimer(titre: str, mesures: list[Mesure]) -> None:
    print(f"\n{titre}")
    print(f"{'opération':<44} {'médiane':>10} {'plancher SQL':>13} {'ratio':>7} {'requêtes':>9}")
    for m in mesures:
        print(
            f"{m.nom:<44} {m.page_ms:>8.1f} ms {m.plancher_ms:>10.1f} ms "
            f"{m.ratio:>6.1f}× {m.requetes:>9}"
        )


def port_libre() -> int:
    """Un port TCP libre de 127.0.0.1, pour un serveur lancé par une mesure."""
    with socket.socket() as prise:
        prise.bind(("127.0.0.1", 0))
        return prise.getsockname()[1]


def attendre(condition: Callable[[], object], secondes: float, message: str) -> None:
    """Attend que `condition()` soit vraie (ses exceptions comptent pour non); sinon, arrête le
    script avec `message`."""
    fin = time.monotonic() + secondes
    while time.monotonic() < fin:
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(0.1)
    raise SystemExit(message)
