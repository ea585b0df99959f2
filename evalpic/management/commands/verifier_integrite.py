"""`manage.py verifier_integrite` : contrôle l'intégrité des données (historique des valeurs,
circuit des saisies, instantanés et fichiers des bilans). La logique est dans
`evalpic.integrite`; la commande affiche un problème par ligne, un résumé, et sort en erreur
(code 1) s'il y en a au moins un."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evalpic.integrite import CONTROLES, Probleme


class Command(BaseCommand):
    help = (
        "Vérifie l'intégrité des données : chaque valeur a son historique et la dernière ligne "
        "de celui-ci annonce la valeur actuelle; les saisies respectent le circuit; chaque "
        "bilan prêt a son instantané intact et ses fichiers conformes à leurs empreintes "
        "SHA-256. Sort avec le code 1 si un problème est trouvé."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="résultat en JSON (pour les machines)"
        )
        parser.add_argument(
            "--controle",
            action="append",
            choices=sorted(CONTROLES),
            help="ne faire que ce contrôle (répétable); tous par défaut",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        depart = time.perf_counter()
        noms = options["controle"] or list(CONTROLES)
        resultats = {nom: CONTROLES[nom]() for nom in noms}
        duree = time.perf_counter() - depart
        total = sum(len(problemes) for problemes in resultats.values())
        if options["json"]:
            self._json(resultats, total, duree)
        else:
            self._texte(resultats, total, duree)
        if total:
            raise CommandError(
                ngettext(
                    "%(total)s problème d'intégrité.",
                    "%(total)s problèmes d'intégrité.",
                    total,
                )
                % {"total": total},
                returncode=1,
            )

    def _texte(self, resultats: dict[str, list[Probleme]], total: int, duree: float) -> None:
        for problemes in resultats.values():
            for probleme in problemes:
                self.stdout.write(probleme.message)
        detail = ", ".join(f"{nom} : {len(problemes)}" for nom, problemes in resultats.items())
        if total:
            resume = ngettext(
                "Intégrité : %(total)s problème (%(detail)s), vérifié en %(duree).1f s.",
                "Intégrité : %(total)s problèmes (%(detail)s), vérifié en %(duree).1f s.",
                total,
            )
            valeurs = {"total": total, "detail": detail, "duree": duree}
            self.stdout.write(self.style.ERROR(resume % valeurs))
        else:
            resume = _("Intégrité : aucun problème (%(detail)s), vérifié en %(duree).1f s.")
            self.stdout.write(self.style.SUCCESS(resume % {"detail": detail, "duree": duree}))

    def _json(self, resultats: dict[str, list[Probleme]], total: int, duree: float) -> None:
        document = {
            "ok": total == 0,
            "total": total,
            "resume": {nom: len(problemes) for nom, problemes in resultats.items()},
            "duree_s": round(duree, 3),
            "problemes": [p.en_dict() for problemes in resultats.values() for p in problemes],
        }
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
