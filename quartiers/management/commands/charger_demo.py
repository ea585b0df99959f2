"""`manage.py charger_demo` : référentiel, données FICTIVES de démonstration et comptes de démo."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from quartiers.demo import charger_demo
from quartiers.referentiel import ReferentielInvalide


class Command(BaseCommand):
    help = (
        "Charge le référentiel puis des données de démonstration fictives et déterministes pour "
        "les cinq quartiers en soutien intensif, et un compte de démonstration par rôle. "
        "Peut être relancée sans créer de doublons."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        depart = time.perf_counter()
        try:
            resume = charger_demo()
        except ReferentielInvalide as erreur:
            raise CommandError(f"Référentiel invalide, rien n'a été chargé. {erreur}") from erreur
        self.stdout.write("Référentiel :")
        for nom, decompte in resume.referentiel.items():
            self.stdout.write(f"  {nom} : {decompte}")
        self.stdout.write("Données de démonstration (FICTIVES) — lignes en base :")
        for nom, nombre in resume.effectifs.items():
            self.stdout.write(f"  {nom} : {nombre}")
        self.stdout.write(f"Comptes de démonstration (mot de passe : {resume.mot_de_passe}) :")
        for compte in resume.comptes:
            self.stdout.write(f"  {compte.courriel} — {compte.role}")
        duree = time.perf_counter() - depart
        self.stdout.write(
            self.style.SUCCESS(f"Données de démonstration chargées en {duree:.1f} s.")
        )
