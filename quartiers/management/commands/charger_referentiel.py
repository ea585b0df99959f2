"""`manage.py charger_referentiel` : charge ou met à jour le référentiel du PIC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartiers.referentiel import ReferentielInvalide, charger_referentiel


class Command(BaseCommand):
    help = (
        "Charge ou met à jour, sans doublon, les quartiers du PIC et leurs tables, les secteurs, "
        "les thèmes et le catalogue d'indicateurs (fixtures/referentiel/*.json)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dossier",
            type=Path,
            default=None,
            help="Dossier des fichiers JSON (par défaut : fixtures/referentiel/).",
        )

    def handle(self, *args: Any, dossier: Path | None = None, **options: Any) -> None:
        try:
            decomptes = charger_referentiel(dossier=dossier)
        except ReferentielInvalide as erreur:
            raise CommandError(f"Référentiel invalide, rien n'a été chargé. {erreur}") from erreur
        for nom, decompte in decomptes.items():
            self.stdout.write(f"{nom} : {decompte}")
        self.stdout.write(self.style.SUCCESS("Référentiel chargé."))
