"""Les données que lisent les tableaux de bord et les bilans, sous une forme simple et figée :
des séries par indicateur et par quartier. Les sélecteurs les remplissent depuis la base; les
fonctions de graphiques et de statut les lisent sans jamais toucher la base."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class Point(NamedTuple):
    """Une valeur (ou son absence) à une période. (Un tuple nommé : les tableaux de bord en
    créent des dizaines de milliers, bien plus vite qu'avec une dataclass figée.)"""

    periode: str  # code « 2025-T2 »
    libelle: str  # libellé affiché « T2 2025 » / « Q2 2025 »
    debut: datetime.date
    valeur: Decimal | None
    texte: str = ""  # la valeur d'un indicateur en texte (unité « texte »), sinon vide
    # « Non disponible » : une absence expliquée par la table (valeur None), et sa raison.
    non_disponible: bool = False
    raison: str = ""


class Repere(NamedTuple):
    """Un apprentissage épinglé à sa période sur la courbe."""

    periode: str
    libelle: str
    categorie: str  # libellé de la catégorie, déjà traduit
    texte: str


@dataclass
class SerieIndicateur:
    """La série d'un indicateur pour un quartier, dans l'ordre chronologique. `points` a une
    entrée par période de l'intervalle demandé (valeur None si absente)."""

    code: str
    nom: str
    unite: str  # valeur de indicateurs.models.Unite
    polarite: str  # valeur de indicateurs.models.Polarite : hausse, baisse, neutre
    quartier: str = ""
    reference: Decimal | None = None
    date_reference: datetime.date | None = None
    points: list[Point] = field(default_factory=list)
    cibles: list[Point] = field(default_factory=list)
    reperes: list[Repere] = field(default_factory=list)

    @property
    def valeurs(self) -> list[Point]:
        """Les points qui ont une valeur."""
        return [p for p in self.points if p.valeur is not None]


class Statut(models.TextChoices):
    """Où en est un indicateur par rapport à sa cible (règles dans `rapports.statuts`)."""

    ATTEINT = "atteint", _("atteint")
    EN_BONNE_VOIE = "en_bonne_voie", _("en bonne voie")
    A_SURVEILLER = "a_surveiller", _("à surveiller")
    SANS_DONNEES = "sans_donnees", _("sans données")


@dataclass(frozen=True)
class Tendance:
    """Droite des moindres carrés sur les valeurs des derniers trimestres de l'intervalle
    (`statuts.FENETRE_TENDANCE`) : pente par trimestre, et valeurs projetées pour les trimestres
    suivants."""

    pente: Decimal
    ajustees: list[tuple[str, Decimal]]  # (code de période, valeur sur la droite)
    projection: list[tuple[str, str, Decimal]]  # (code, libellé, valeur projetée)
