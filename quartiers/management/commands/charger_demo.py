"""`manage.py charger_demo` : référentiel, données FICTIVES de démonstration et comptes de démo.

La démonstration crée un compte d'administration au mot de passe publié (README) et écrit ses
données dans les vrais quartiers : elle remplace les références des indicateurs suivis et le
statut des saisies de ses trimestres. Sans autre précaution en développement seulement
(`EVALPIC_DEMO_PERMISE`, DJANGO_DEBUG vrai au démarrage, comme le pose scripts/demarrer.sh).
Ailleurs, il faut le dire (`--production-de-demonstration`, que passe le service `demo` de
docker compose), et la base ne doit contenir aucune donnée réelle : rien de ce que la
démonstration marque comme fictif (`donnees_fictives`, la source « Données fictives ») ni de ce
qu'un autre compte que les siens a saisi."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicateurs.models import EvenementSaisie, IndicateurSuivi, Saisie, StrategieDeChangement
from quartiers.demo import COMPTES, charger_demo
from quartiers.demo_commun import SOURCE_FICTIVE
from quartiers.models import Partenaire
from quartiers.referentiel import ReferentielInvalide

DRAPEAU = "--production-de-demonstration"


def donnees_reelles() -> list[str]:
    """Ce que la base contient et que la démonstration n'a pas écrit, une ligne par sorte
    (vide : rien de réel, la démonstration peut s'y charger)."""
    demo = [compte.courriel for compte in COMPTES]
    par_un_autre = Q(
        pk__in=EvenementSaisie.objects.filter(auteur__isnull=False)
        .exclude(auteur__email__in=demo)
        .values("saisie_id")
    )
    for champ in ("soumise_par", "validee_par"):
        par_un_autre |= Q(**{f"{champ}__isnull": False}) & ~Q(**{f"{champ}__email__in": demo})
    saisies = Saisie.objects.filter(par_un_autre).count()
    partenaires = Partenaire.objects.filter(donnees_fictives=False).count()
    strategies = StrategieDeChangement.objects.filter(donnees_fictives=False).count()
    suivis = IndicateurSuivi.objects.exclude(source_reference=SOURCE_FICTIVE).count()
    trouvees = [
        saisies
        and ngettext(
            "%(nombre)d saisie faite par un autre compte que ceux de la démonstration",
            "%(nombre)d saisies faites par d'autres comptes que ceux de la démonstration",
            saisies,
        )
        % {"nombre": saisies},
        partenaires
        and ngettext(
            "%(nombre)d partenaire non marqué fictif",
            "%(nombre)d partenaires non marqués fictifs",
            partenaires,
        )
        % {"nombre": partenaires},
        strategies
        and ngettext(
            "%(nombre)d stratégie de changement non marquée fictive",
            "%(nombre)d stratégies de changement non marquées fictives",
            strategies,
        )
        % {"nombre": strategies},
        suivis
        and ngettext(
            "%(nombre)d indicateur suivi dont la source de la référence n'est pas fictive",
            "%(nombre)d indicateurs suivis dont la source de la référence n'est pas fictive",
            suivis,
        )
        % {"nombre": suivis},
    ]
    return [texte for texte in trouvees if texte]


class Command(BaseCommand):
    help = (
        "Charge le référentiel puis des données de démonstration fictives et déterministes pour "
        "les cinq quartiers en soutien intensif, et un compte de démonstration par rôle. "
        "Peut être relancée sans créer de doublons."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            DRAPEAU,
            action="store_true",
            dest="production_de_demonstration",
            help=(
                "Hors développement (DJANGO_DEBUG faux) : charger quand même la démonstration, "
                "sur une base réservée à la démonstration (refusé si elle contient des "
                "données réelles)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.EVALPIC_DEMO_PERMISE:
            self.verifier_la_production(options["production_de_demonstration"])
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

    def verifier_la_production(self, drapeau: bool) -> None:
        """Hors développement : le drapeau, puis une base sans données réelles."""
        if not drapeau:
            raise CommandError(
                _(
                    "Refusé : DJANGO_DEBUG est faux (production). La démonstration crée un compte "
                    "d'administration au mot de passe publié et écrit des données fictives dans "
                    "les quartiers. Sur une base réservée à la démonstration, relancez avec "
                    "%(drapeau)s (docker compose run --rm demo le fait)."
                )
                % {"drapeau": DRAPEAU}
            )
        if trouvees := donnees_reelles():
            raise CommandError(
                _(
                    "Refusé : cette base contient des données réelles (%(trouvees)s). La "
                    "démonstration les modifierait : chargez-la dans une base à part."
                )
                % {"trouvees": "; ".join(trouvees)}
            )
