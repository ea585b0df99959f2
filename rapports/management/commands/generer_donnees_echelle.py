"""`manage.py generer_donnees_echelle` : données synthétiques à grande échelle (FICTIVES) pour le
banc d'essai des performances. La logique est dans le paquet `rapports.echelle` (une étape par
module)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rapports.echelle import (
    GRAINE_PAR_DEFAUT,
    GenerationImpossible,
    Parametres,
    generer_donnees_echelle,
)


def entier_positif(brut: str) -> int:
    """Un entier au moins égal à 1, pour les options de taille."""
    try:
        nombre = int(brut)
    except ValueError as erreur:
        raise argparse.ArgumentTypeError(f"« {brut} » n'est pas un nombre entier.") from erreur
    if nombre < 1:
        raise argparse.ArgumentTypeError("La valeur doit être au moins 1.")
    return nombre


class Command(BaseCommand):
    help = (
        "Génère des données synthétiques (fictives) à grande échelle pour le banc d'essai : "
        "N quartiers « Échelle », M indicateurs saisis, T trimestres finissant au trimestre en "
        "cours, avec registre, stratégies, suivis, cibles, saisies, valeurs, historique et "
        "apprentissages. Refuse de s'exécuter si des données d'échelle existent déjà, sauf "
        "avec --remplacer."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--quartiers", type=entier_positif, default=32, help="N (32)")
        parser.add_argument("--indicateurs", type=entier_positif, default=120, help="M (120)")
        parser.add_argument("--trimestres", type=entier_positif, default=40, help="T (40)")
        parser.add_argument(
            "--graine", type=int, default=GRAINE_PAR_DEFAUT, help="graine des tirages"
        )
        parser.add_argument(
            "--remplacer",
            action="store_true",
            help="efface d'abord les données d'échelle existantes",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        depart = time.perf_counter()
        try:
            parametres = Parametres(
                quartiers=options["quartiers"],
                indicateurs=options["indicateurs"],
                trimestres=options["trimestres"],
                graine=options["graine"],
            )
            rapport = generer_donnees_echelle(parametres, remplacer=options["remplacer"])
        except (GenerationImpossible, ValueError) as erreur:
            raise CommandError(str(erreur)) from erreur
        if rapport.referentiel_charge:
            self.stdout.write("Référentiel absent : chargé d'abord (quartiers/referentiel.py).")
        if options["remplacer"]:
            self.stdout.write(f"Données d'échelle effacées : {rapport.supprimees} lignes.")
        self.stdout.write("Données d'échelle (FICTIVES) — lignes créées :")
        for nom, nombre in rapport.effectifs.items():
            self.stdout.write(f"  {nom} : {nombre}")
        self.stdout.write(f"  total : {sum(rapport.effectifs.values())}")
        duree = time.perf_counter() - depart
        self.stdout.write(self.style.SUCCESS(f"Données d'échelle générées en {duree:.1f} s."))
