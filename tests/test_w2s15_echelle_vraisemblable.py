"""Les données d'échelle (`generer_donnees_echelle`) se lisent comme la démonstration, dont elles
appellent les règles (quartiers.demo_saisies, quartiers.demo_registre) au lieu de tirer au sort :

1. la raison d'un « non disponible » tient à la source de l'indicateur : plus de « questionnaire
   reporté faute de répondant·es » pour un montant attendu des bailleurs;
2. les acteurs d'influence sont les bailleurs, la recherche et la direction de l'arrondissement
   (premier partenaire municipal de la table, une seule fois), sans tirage : plus la
   bibliothèque ni le service des loisirs une fois sur deux;
3. des acteurs d'influence repartent (fin de participation), comme les autres partenaires.

Les volumes ne changent pas (le banc d'essai les lit) et tout reste déterminé par la graine, les
tailles et le jour."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter

import pytest

from indicateurs.calculs import indicateurs_calcules
from indicateurs.models import Calcul, Periode, Unite, Valeur
from quartiers.demo_saisies import RAISONS_PAR_PROVENANCE
from quartiers.models import Participation, Quartier
from rapports.echelle import PREFIXE_SLUG, Parametres, generer_donnees_echelle

pytestmark = pytest.mark.django_db

JOUR = datetime.date(2026, 8, 20)
DIRECTION = "Direction de l'arrondissement"
# Ce que la source d'un indicateur d'échelle (« Données fictives ») laisse lire : son unité.
PROVENANCE_DE_L_UNITE = {Unite.DOLLARS: "bailleurs", Unite.ECHELLE: "questionnaire"}


def _participations():
    return (
        Participation.objects.filter(table__quartier__slug__startswith=PREFIXE_SLUG)
        .select_related("partenaire__secteur", "table")
        .order_by("table_id", "partenaire_id")
    )


def _libelle(nom: str) -> str:
    """« Échelle 001 — Bibliothèque de quartier n° 12 (fictif) » → « Bibliothèque de quartier »."""
    return nom.split(" — ", 1)[1].rsplit(" n° ", 1)[0]


def test_la_raison_d_un_non_disponible_tient_a_la_source_de_l_indicateur():
    generer_donnees_echelle(Parametres(3, 40, 12), aujourd_hui=JOUR)
    manquantes = Valeur.objects.filter(
        saisie__table__quartier__slug__startswith=PREFIXE_SLUG, non_disponible=True
    ).select_related("indicateur")
    assert len(manquantes) >= 20
    vues = Counter()
    for valeur in manquantes:
        attendue = PROVENANCE_DE_L_UNITE.get(valeur.indicateur.unite, "organismes")
        assert valeur.raison_non_disponible in RAISONS_PAR_PROVENANCE[attendue], (
            valeur.indicateur.unite,
            valeur.raison_non_disponible,
        )
        vues[attendue] += 1
    assert len(vues) >= 2, vues  # des sources différentes, des raisons différentes


def test_les_acteurs_d_influence_suivent_la_regle_sans_tirage():
    generer_donnees_echelle(Parametres(8, 2, 40), aujourd_hui=JOUR)
    directions = Counter()
    municipaux: dict[int, list[str]] = {}
    for participation in _participations():
        partenaire = participation.partenaire
        secteur, libelle = partenaire.secteur.code, _libelle(partenaire.nom)
        attendu = secteur in ("philanthropie", "recherche") or libelle == DIRECTION
        assert partenaire.acteur_influence == attendu, (partenaire.nom, secteur)
        if secteur == "municipal":
            municipaux.setdefault(participation.table_id, []).append(libelle)
            directions[participation.table_id] += libelle == DIRECTION
    assert municipaux, "des partenaires municipaux, pour que la règle se voie"
    # La direction de l'arrondissement : le premier partenaire municipal de la table, le seul.
    for table, libelles in municipaux.items():
        assert libelles[0] == DIRECTION and directions[table] == 1, libelles
    # Les services de proximité du municipal n'en sont pas (avant : une fois sur deux).
    assert any(len(libelles) > 1 for libelles in municipaux.values())


def test_des_acteurs_d_influence_repartent():
    generer_donnees_echelle(Parametres(8, 2, 40), aujourd_hui=JOUR)
    influence = [p for p in _participations() if p.partenaire.acteur_influence]
    parties = [p for p in influence if p.fin is not None]
    assert parties, "aucun acteur d'influence ne quitte sa table"
    assert len(parties) < len(influence) / 2  # environ un sur sept, comme les autres
    assert all(p.debut < p.fin < JOUR for p in parties)
    # L'indicateur calculé peut donc baisser d'un trimestre à l'autre dans un quartier.
    periodes = list(Periode.objects.order_by("debut"))
    baisse = False
    for quartier in Quartier.objects.filter(slug__startswith=PREFIXE_SLUG):
        nombres = [
            indicateurs_calcules(quartier, p.debut, p.fin)[Calcul.ACTEURS_INFLUENCE]
            for p in periodes
        ]
        baisse = baisse or any(b < a for a, b in itertools.pairwise(nombres))
    assert baisse


def _registre() -> list[tuple]:
    return [
        (p.partenaire.nom, p.partenaire.acteur_influence, p.role, p.debut, p.fin)
        for p in _participations().order_by("partenaire__nom")
    ]


def _raisons() -> list[tuple]:
    return list(
        Valeur.objects.filter(
            saisie__table__quartier__slug__startswith=PREFIXE_SLUG, non_disponible=True
        )
        .order_by("saisie__table__quartier__slug", "indicateur__code", "saisie__periode__debut")
        .values_list("saisie__table__quartier__slug", "indicateur__code", "raison_non_disponible")
    )


def test_meme_graine_meme_jour_memes_registre_et_raisons():
    generer_donnees_echelle(Parametres(3, 12, 12, graine=7), aujourd_hui=JOUR)
    registre, raisons = _registre(), _raisons()
    generer_donnees_echelle(Parametres(3, 12, 12, graine=7), remplacer=True, aujourd_hui=JOUR)
    assert (_registre(), _raisons()) == (registre, raisons)
    generer_donnees_echelle(Parametres(3, 12, 12, graine=8), remplacer=True, aujourd_hui=JOUR)
    assert _registre() != registre
