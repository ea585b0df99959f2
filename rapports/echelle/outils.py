"""Données d'échelle : les tailles demandées, les types partagés par les étapes (quartier
généré, contexte, séries, rapport), les erreurs et les petits outils (insertion en lot,
dates au hasard).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import timezone

from indicateurs.models import Action, ChangementVise, Indicateur, Periode, Saisie, Theme
from quartiers.models import Partenaire, Participation, Quartier, Secteur, TableDeQuartier

PREFIXE_SLUG = "echelle-"
PREFIXE_CODE = "echelle-ind-"
PREFIXE_NOM = "Échelle"
GRAINE_PAR_DEFAUT = 2026
TAILLE_LOT = 5000


class GenerationImpossible(Exception):
    """La génération est refusée; rien n'a été écrit."""


class DonneesEchelleExistantes(GenerationImpossible):
    """Des données d'échelle existent déjà et leur remplacement n'est pas demandé."""


@dataclass(frozen=True)
class Parametres:
    """Les tailles demandées et la graine des tirages."""

    quartiers: int
    indicateurs: int
    trimestres: int
    graine: int = GRAINE_PAR_DEFAUT

    def __post_init__(self) -> None:
        for nom in ("quartiers", "indicateurs", "trimestres"):
            if getattr(self, nom) < 1:
                raise ValueError(f"Le nombre de {nom} doit être au moins 1.")


@dataclass(frozen=True)
class Gabarit:
    """L'allure des séries d'une unité : référence, bruit (en part de la référence), arrondi,
    bornes, et proportionnalité à la taille du quartier."""

    reference: tuple[float, float]
    bruit: float
    decimales: int
    bas: float
    haut: float | None
    proportionnelle: bool


@dataclass(frozen=True)
class Serie:
    """Une série saisie (quartier × indicateur) : une tendance par trimestre, du bruit, et la
    pente visée qui fixe les cibles. Une série sur quatre ne « tourne pas la courbe »."""

    reference: float
    pente: float
    pente_visee: float
    bruit: float
    gabarit: Gabarit
    saisons: tuple[float, ...] | None = None

    def arrondir(self, valeur: float) -> Decimal:
        """La valeur bornée selon l'unité, arrondie à sa précision."""
        haut = self.gabarit.haut
        valeur = max(self.gabarit.bas, valeur if haut is None else min(haut, valeur))
        decimales = self.gabarit.decimales
        pas = Decimal(1) if decimales <= 0 else Decimal(10) ** -decimales
        return Decimal(str(round(valeur, decimales))).quantize(pas)

    def au_trimestre(self, rang: int, trimestre: int, hasard: random.Random) -> Decimal:
        """La valeur du `rang`-ième trimestre (0 = le premier) : tendance, saison, bruit."""
        tendance = self.reference + self.pente * (rang + 1)
        saison = self.saisons[trimestre - 1] if self.saisons else 1.0
        return self.arrondir(tendance * saison + hasard.gauss(0, self.bruit))

    def cible(self, rang: int) -> Decimal:
        return self.arrondir(self.reference + self.pente_visee * (rang + 1))


@dataclass
class QuartierEchelle:
    """Un quartier généré et ce que les étapes suivantes en réutilisent, gardé en mémoire."""

    rang: int
    quartier: Quartier
    table: TableDeQuartier
    taille: float
    participations: list[Participation] = field(default_factory=list)
    actions: list[tuple[Action, list[Partenaire], tuple[str, ...]]] = field(default_factory=list)
    changements: dict[str, ChangementVise] = field(default_factory=dict)
    series: dict[int, Serie] = field(default_factory=dict)
    saisies: list[Saisie] = field(default_factory=list)


@dataclass
class Contexte:
    """Le référentiel lu une fois, les périodes, les indicateurs créés et les effectifs."""

    parametres: Parametres
    aujourd_hui: datetime.date
    periodes: list[Periode]
    secteurs: list[Secteur]
    themes: list[Theme]
    calcules: list[Indicateur]
    indicateurs: list[Indicateur] = field(default_factory=list)
    effectifs: Counter[str] = field(default_factory=Counter)

    @property
    def date_reference(self) -> datetime.date:
        """La date des valeurs de référence : la veille de la première période."""
        return self.periodes[0].debut - datetime.timedelta(days=1)

    def rng(self, *etiquettes: object) -> random.Random:
        """Un générateur déterministe propre à une étiquette (une chaîne : graine stable)."""
        return random.Random(
            ":".join(str(e) for e in ("echelle", self.parametres.graine, *etiquettes))
        )


@dataclass
class Rapport:
    """Ce que la génération a fait : lignes créées par modèle, lignes effacées avant."""

    effectifs: Counter[str]
    supprimees: int = 0
    referentiel_charge: bool = False


# --- Outils -------------------------------------------------------------------------------------


def inserer(
    ctx: Contexte, modele: type[models.Model], objets: Iterable, libelle: str | None = None
) -> list:
    """Insère en lots et compte les lignes créées sous le nom du modèle (ou `libelle`)."""
    crees = modele.objects.bulk_create(list(objets), batch_size=TAILLE_LOT)
    ctx.effectifs[libelle or str(modele._meta.verbose_name_plural)] += len(crees)
    return crees


def date_au_hasard(
    hasard: random.Random, debut: datetime.date, fin: datetime.date
) -> datetime.date:
    return debut + datetime.timedelta(days=hasard.randint(0, max(0, (fin - debut).days)))


def debut_au_hasard(ctx: Contexte, hasard: random.Random) -> datetime.date:
    """Un début d'engagement : un tiers avant la première période (la référence n'est pas nulle),
    les autres au fil des trimestres générés."""
    premiere, derniere = ctx.periodes[0].debut, ctx.periodes[-1].debut
    if hasard.random() < 0.35:
        veille = premiere - datetime.timedelta(days=1)
        return date_au_hasard(hasard, premiere - datetime.timedelta(days=730), veille)
    return date_au_hasard(hasard, premiere, min(derniere, ctx.aujourd_hui))


def fin_au_hasard(
    debut: datetime.date, aujourd_hui: datetime.date, hasard: random.Random, part: float
) -> datetime.date | None:
    """Une fin un à cinq ans après le début pour une part des engagements, si elle est passée."""
    fin = debut + datetime.timedelta(days=hasard.randint(365, 1825))
    return fin if hasard.random() < part and fin < aujourd_hui else None


def moment(jour: datetime.date, heure: int) -> datetime.datetime:
    """Un instant du jour donné, jamais dans le futur."""
    instant = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))
    return min(instant, timezone.now())
