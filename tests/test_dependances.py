"""Le code de l'application n'importe que ce que ses dépendances de production installent.

L'image Docker n'installe que `[project].dependencies` de pyproject.toml : un paquet importé par
l'application mais seulement déclaré dans `[dev]` (ou venu par hasard avec un outil de test)
marche dans les tests et casse en production. Ce test lit chaque `import` du code de
l'application et vérifie que son paquet est dans la fermeture des dépendances de production
(avec leurs extras, comme `celery[redis]`). Sans base de données.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

RACINE = Path(__file__).resolve().parent.parent
#: Les paquets de l'application (ce qu'installe l'image), et le point d'entrée.
APPLICATION = ("evalpic", "quartiers", "indicateurs", "rapports")
PREMIERE_MAIN = {*APPLICATION, "manage"}


def modules_importes(fichiers: list[Path]) -> dict[str, set[str]]:
    """Module de premier niveau → fichiers qui l'importent (imports absolus seulement)."""
    importes: dict[str, set[str]] = {}
    for fichier in fichiers:
        arbre = ast.parse(fichier.read_text(encoding="utf-8"), filename=str(fichier))
        for noeud in ast.walk(arbre):
            if isinstance(noeud, ast.Import):
                noms = [alias.name for alias in noeud.names]
            elif isinstance(noeud, ast.ImportFrom) and noeud.level == 0 and noeud.module:
                noms = [noeud.module]
            else:
                continue
            for nom in noms:
                importes.setdefault(nom.split(".")[0], set()).add(str(fichier.relative_to(RACINE)))
    return importes


def fermeture(exigences: list[str]) -> set[str]:
    """Les distributions installées par ces exigences, avec leurs dépendances et leurs extras."""
    vues: set[tuple[str, frozenset[str]]] = set()
    a_voir = [Requirement(exigence) for exigence in exigences]
    noms: set[str] = set()
    while a_voir:
        exigence = a_voir.pop()
        nom, extras = canonicalize_name(exigence.name), frozenset(exigence.extras)
        if (nom, extras) in vues:
            continue
        vues.add((nom, extras))
        noms.add(nom)
        for texte in metadata.requires(nom) or []:
            dependance = Requirement(texte)
            environnements = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if dependance.marker is None or any(
                dependance.marker.evaluate(environnement) for environnement in environnements
            ):
                a_voir.append(dependance)
    return noms


def dependances_de_production() -> list[str]:
    with (RACINE / "pyproject.toml").open("rb") as fichier:
        return tomllib.load(fichier)["project"]["dependencies"]


def test_la_fermeture_suit_les_extras():
    """Le test ne vaut que si la fermeture voit ce qu'un extra ajoute, et seulement lui."""
    assert "redis" in fermeture(["celery[redis]"])
    assert "redis" not in fermeture(["celery"])
    assert "kombu" in fermeture(["celery"])  # une dépendance de dépendance


def test_le_code_de_l_application_n_importe_que_des_dependances_de_production():
    fichiers = [RACINE / "manage.py"] + [
        fichier for paquet in APPLICATION for fichier in (RACINE / paquet).rglob("*.py")
    ]
    importes = modules_importes(fichiers)
    installes = fermeture(dependances_de_production())
    distributions = metadata.packages_distributions()
    manquants = {
        module: sorted(ou)[:3]
        for module, ou in importes.items()
        if module not in sys.stdlib_module_names
        and module not in PREMIERE_MAIN
        and not any(
            canonicalize_name(distribution) in installes
            for distribution in distributions.get(module, [])
        )
    }
    assert not manquants, (
        "Importés par l'application, absents de [project].dependencies (ni directement, ni "
        f"par une dépendance) : {manquants}"
    )
