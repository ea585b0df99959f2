"""Le référentiel du PIC : `manage.py charger_referentiel`."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from indicateurs.models import Calcul, Famille, Indicateur, ModeCollecte, Theme, Unite
from quartiers.models import NiveauSoutien, Quartier, Secteur, TableDeQuartier
from quartiers.referentiel import DOSSIER_REFERENTIEL

INTENSIFS = {"Centre-Sud", "Côte-des-Neiges", "Parc-Extension", "Saint-Léonard", "Saint-Michel"}


def charger(*args: str) -> str:
    sortie = StringIO()
    call_command("charger_referentiel", *args, stdout=sortie)
    return sortie.getvalue()


def effectifs() -> dict[str, int]:
    """Le nombre de lignes de chaque modèle (et table de liaison) des applications du domaine."""
    modeles = [
        modele
        for nom in ("quartiers", "indicateurs")
        for modele in apps.get_app_config(nom).get_models(include_auto_created=True)
    ]
    return {modele._meta.label: modele.objects.count() for modele in modeles}


@pytest.fixture
def referentiel(db) -> str:
    return charger()


@pytest.fixture
def copie_des_fixtures(tmp_path: Path) -> Path:
    dossier = tmp_path / "referentiel"
    shutil.copytree(DOSSIER_REFERENTIEL, dossier)
    return dossier


def modifier(dossier: Path, fichier: str, modification) -> None:
    chemin = dossier / fichier
    entrees = json.loads(chemin.read_text(encoding="utf-8"))
    modification(entrees)
    chemin.write_text(json.dumps(entrees, ensure_ascii=False), encoding="utf-8")


def test_dix_sept_quartiers_dont_cinq_en_soutien_intensif(referentiel):
    assert Quartier.objects.count() == 17
    intensifs = Quartier.objects.filter(niveau_soutien=NiveauSoutien.INTENSIF)
    assert set(intensifs.values_list("nom", flat=True)) == INTENSIFS
    assert Quartier.objects.filter(niveau_soutien=NiveauSoutien.MODERE).count() == 12


def test_chaque_quartier_a_sa_table(referentiel):
    assert TableDeQuartier.objects.count() == 17
    assert not Quartier.objects.filter(table__isnull=True).exists()


@pytest.mark.parametrize(
    ("slug", "nom"),
    [
        ("centre-sud", "Table de développement social Centre-Sud"),
        ("cote-des-neiges", "Corporation de développement communautaire de Côte-des-Neiges"),
        ("parc-extension", "Table de quartier de Parc-Extension"),
        ("saint-leonard", "Concertation Saint-Léonard"),
        ("saint-michel", "Vivre Saint-Michel en santé"),
        ("ahuntsic", "Solidarité Ahuntsic"),
        ("mercier-ouest", "Mercier-Ouest Quartier en santé"),
        ("rosemont", "CDC de Rosemont"),
        ("pointe-aux-trembles", "CDC de la Pointe – Région Est de Montréal"),
    ],
)
def test_le_nom_de_la_table_est_celui_des_sources(referentiel, slug, nom):
    assert TableDeQuartier.objects.get(quartier__slug=slug).nom == nom


def test_les_tables_introuvables_dans_les_sources_restent_sans_nom(referentiel):
    sans_nom = TableDeQuartier.objects.filter(nom="").values_list("quartier__nom", flat=True)
    assert set(sans_nom) == {"Lachine", "Ville-Émard–Côte-Saint-Paul", "Ouest-de-l'Île", "Verdun"}


def test_coordination_et_fondation_connues_sont_renseignees(referentiel):
    centre_sud = TableDeQuartier.objects.get(quartier__slug="centre-sud")
    assert centre_sud.organisme_coordonnateur == "CDC Centre-Sud"
    assert TableDeQuartier.objects.get(quartier__slug="parc-extension").annee_fondation == 2018
    pat = Quartier.objects.get(slug="pointe-aux-trembles")
    assert "Montréal-Est" in pat.nom


def test_arrondissements_connus(referentiel):
    attendus = {
        "centre-sud": "Ville-Marie",
        "cote-des-neiges": "Côte-des-Neiges–Notre-Dame-de-Grâce",
        "parc-extension": "Villeray–Saint-Michel–Parc-Extension",
        "saint-leonard": "Saint-Léonard",
        "saint-michel": "Villeray–Saint-Michel–Parc-Extension",
    }
    for slug, arrondissement in attendus.items():
        assert Quartier.objects.get(slug=slug).arrondissement == arrondissement


def test_secteurs_et_themes_bilingues(referentiel):
    assert Secteur.objects.count() == 8
    assert Theme.objects.count() == 5
    assert not Secteur.objects.filter(nom_en="").exists()
    assert not Theme.objects.filter(nom_en="").exists()


def test_cinq_indicateurs_calcules(referentiel):
    calcules = Indicateur.objects.filter(mode=ModeCollecte.CALCULE)
    assert set(calcules.values_list("calcul", flat=True)) == set(Calcul.values) - {""}
    shannon = Indicateur.objects.get(calcul=Calcul.DIVERSITE_SHANNON)
    assert shannon.unite == Unite.INDICE


def test_catalogue_couvre_familles_themes_et_unites(referentiel):
    assert 20 <= Indicateur.objects.count() <= 25
    assert set(Indicateur.objects.values_list("famille", flat=True)) == set(Famille.values)
    assert Theme.objects.filter(indicateurs__isnull=True).count() == 0
    saisis = Indicateur.objects.filter(mode=ModeCollecte.SAISI)
    unites = set(saisis.values_list("unite", flat=True))
    assert {"nombre", "pourcentage", "dollars", "echelle", "texte"} <= unites
    assert saisis.filter(polarite="baisse").exists()
    assert not Indicateur.objects.filter(definition_fr="").exists()
    assert not Indicateur.objects.filter(definition_en="").exists()
    assert not Indicateur.objects.filter(source="").exists()


def test_seconde_execution_ne_cree_rien(referentiel):
    avant = effectifs()
    sortie = charger()
    assert effectifs() == avant
    assert "quartiers : 0 créés / 0 mis à jour / 17 inchangés" in sortie
    assert "indicateurs : 0 créés / 0 mis à jour / 25 inchangés" in sortie
    assert "quartiers : 17 créés / 0 mis à jour / 0 inchangés" in referentiel


def test_une_valeur_modifiee_dans_un_fichier_est_mise_a_jour(referentiel, copie_des_fixtures):
    def renommer(entrees):
        entrees[0]["nom_fr"] = "Partenaires actifs (libellé révisé)"

    def nommer_la_table(entrees):
        verdun = next(e for e in entrees if e["slug"] == "verdun")
        verdun["table"]["nom"] = "Table de Verdun (essai)"

    modifier(copie_des_fixtures, "indicateurs.json", renommer)
    modifier(copie_des_fixtures, "quartiers.json", nommer_la_table)
    avant = effectifs()

    sortie = charger("--dossier", str(copie_des_fixtures))

    assert effectifs() == avant
    indicateur = Indicateur.objects.get(code="proc-partenaires-actifs")
    assert indicateur.nom_fr == "Partenaires actifs (libellé révisé)"
    assert TableDeQuartier.objects.get(quartier__slug="verdun").nom == "Table de Verdun (essai)"
    assert "indicateurs : 0 créés / 1 mis à jour / 24 inchangés" in sortie
    assert "tables de quartier : 0 créés / 1 mis à jour / 16 inchangés" in sortie


@pytest.mark.django_db
def test_une_donnee_invalide_arrete_tout_avec_un_message_clair(copie_des_fixtures):
    def unite_inconnue(entrees):
        entrees[5]["unite"] = "kilogrammes"

    modifier(copie_des_fixtures, "indicateurs.json", unite_inconnue)

    with pytest.raises(CommandError, match=r"indicateurs\.json.*unite"):
        charger("--dossier", str(copie_des_fixtures))
    assert Quartier.objects.count() == 0  # une seule transaction : rien n'est resté


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fichier", "modification", "message"),
    [
        ("quartiers.json", lambda e: e[0].update(population=31000), "clé.*inconnue.*population"),
        ("quartiers.json", lambda e: e[1].update(niveau_soutien="fort"), "niveau_soutien"),
        ("indicateurs.json", lambda e: e[0].update(theme="sport"), "thème inconnu"),
        ("indicateurs.json", lambda e: e[0].update(calcul=""), "calculé a une formule"),
        ("secteurs.json", lambda e: e.append(dict(e[0])), "deux fois"),
    ],
)
def test_les_donnees_inconnues_ou_invalides_sont_refusees(
    copie_des_fixtures, fichier, modification, message
):
    modifier(copie_des_fixtures, fichier, modification)
    with pytest.raises(CommandError, match=message):
        charger("--dossier", str(copie_des_fixtures))


@pytest.mark.django_db
def test_un_fichier_absent_ou_illisible_est_signale(copie_des_fixtures):
    (copie_des_fixtures / "themes.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match=r"themes\.json : JSON invalide"):
        charger("--dossier", str(copie_des_fixtures))
    (copie_des_fixtures / "themes.json").unlink()
    with pytest.raises(CommandError, match="introuvable"):
        charger("--dossier", str(copie_des_fixtures))
