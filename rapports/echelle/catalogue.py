"""Données d'échelle : le catalogue d'indicateurs saisis et les quartiers avec leur table."""

from __future__ import annotations

import random

from indicateurs.models import Agregation, Famille, Indicateur, ModeCollecte, Polarite, Unite
from quartiers.demo_commun import PREFIXE_EN, PREFIXE_FR, SOURCE_FICTIVE, SOURCE_FICTIVE_EN
from quartiers.models import NiveauSoutien, Quartier, TableDeQuartier
from rapports.echelle.outils import (
    PREFIXE_CODE,
    PREFIXE_NOM,
    PREFIXE_SLUG,
    Contexte,
    QuartierEchelle,
    inserer,
)

NIVEAUX = (NiveauSoutien.INTENSIF, NiveauSoutien.MODERE)
ARRONDISSEMENTS = ("Arrondissement fictif Nord", "Arrondissement fictif Centre", "Ville fictive")
UNITES_NUMERIQUES = (
    Unite.NOMBRE,
    Unite.NOMBRE,
    Unite.NOMBRE,
    Unite.POURCENTAGE,
    Unite.POURCENTAGE,
    Unite.DOLLARS,
    Unite.ECHELLE,
)
NOMS_UNITES = {
    Unite.NOMBRE: ("nombre", "count"),
    Unite.POURCENTAGE: ("pourcentage", "percentage"),
    Unite.DOLLARS: ("dollars", "dollars"),
    Unite.ECHELLE: ("échelle de 1 à 5", "1-5 scale"),
    Unite.TEXTE: ("texte", "text"),
}
AGREGATIONS = {
    Unite.NOMBRE: (Agregation.SOMME, Agregation.CUMUL, Agregation.DERNIERE),
    Unite.POURCENTAGE: (Agregation.MOYENNE, Agregation.DERNIERE),
    Unite.DOLLARS: (Agregation.SOMME, Agregation.CUMUL),
    Unite.ECHELLE: (Agregation.MOYENNE, Agregation.DERNIERE),
    Unite.TEXTE: (Agregation.DERNIERE,),
}


def unite_du_rang(rang: int, hasard: random.Random) -> str:
    """Un indicateur sur vingt est en texte (le 3e, le 23e…); les autres, numériques variés."""
    return Unite.TEXTE if rang % 20 == 3 else hasard.choice(UNITES_NUMERIQUES)


def polarite_au_hasard(unite: str, hasard: random.Random) -> str:
    if unite == Unite.TEXTE:
        return Polarite.NEUTRE
    tirage = hasard.random()
    return (
        Polarite.HAUSSE if tirage < 0.65 else Polarite.BAISSE if tirage < 0.9 else Polarite.NEUTRE
    )


def indicateur_echelle(rang: int, ctx: Contexte, hasard: random.Random) -> Indicateur:
    """Un indicateur saisi synthétique : unité, polarité, famille et thème variés."""
    unite = unite_du_rang(rang, hasard)
    famille = Famille.values[rang % len(Famille.values)]
    nom_fr, nom_en = NOMS_UNITES[unite]
    return Indicateur(
        code=f"{PREFIXE_CODE}{rang:03d}",
        nom_fr=f"{PREFIXE_NOM} — indicateur {rang:03d} ({nom_fr})",
        nom_en=f"Scale — indicator {rang:03d} ({nom_en})",
        definition_fr=f"{PREFIXE_FR} Indicateur synthétique pour les mesures de performance.",
        definition_en=f"{PREFIXE_EN} Synthetic indicator for performance measurements.",
        famille=famille,
        theme=hasard.choice([*ctx.themes, None]),
        unite=unite,
        polarite=polarite_au_hasard(unite, hasard),
        agregation=hasard.choice(AGREGATIONS[unite]),
        source=SOURCE_FICTIVE,
        source_en=SOURCE_FICTIVE_EN,
        mode=ModeCollecte.SAISI,
    )


def creer_indicateurs(ctx: Contexte) -> None:
    hasard = ctx.rng("indicateurs")
    nombre = ctx.parametres.indicateurs
    objets = [indicateur_echelle(rang, ctx, hasard) for rang in range(1, nombre + 1)]
    ctx.indicateurs = inserer(ctx, Indicateur, objets)


def creer_quartiers(ctx: Contexte) -> list[QuartierEchelle]:
    """Les quartiers « Échelle 001 »… et leur table, niveaux de soutien en alternance."""
    hasard = ctx.rng("quartiers")
    quartiers = [
        Quartier(
            slug=f"{PREFIXE_SLUG}{rang:03d}",
            nom=f"{PREFIXE_NOM} {rang:03d}",
            niveau_soutien=NIVEAUX[rang % len(NIVEAUX)],
            arrondissement=ARRONDISSEMENTS[rang % len(ARRONDISSEMENTS)],
            description=f"{PREFIXE_FR} Quartier synthétique pour les mesures de performance.",
        )
        for rang in range(1, ctx.parametres.quartiers + 1)
    ]
    inserer(ctx, Quartier, quartiers)
    tables = inserer(
        ctx,
        TableDeQuartier,
        (
            TableDeQuartier(quartier=q, nom=f"Table de quartier {q.nom} (fictive)")
            for q in quartiers
        ),
    )
    return [
        QuartierEchelle(rang, q, t, taille=round(hasard.uniform(0.5, 2.5), 2))
        for rang, (q, t) in enumerate(zip(quartiers, tables, strict=True), start=1)
    ]
