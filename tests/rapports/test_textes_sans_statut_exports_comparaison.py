"""Un indicateur en texte n'a pas de statut (`a_un_statut`) : ni la page du bilan, ni « En bref »,
ni la vue d'ensemble ne lui en donnent, et désormais ni le CSV et le XLSX du bilan (case vide),
ni la comparaison de deux bilans. La comparaison le compare par son dernier texte : « Avant »
puis « Après » est un changement, montré et marqué. Avant, les exports et la comparaison lui
donnaient « sans données », et la comparaison ne lisait que les valeurs chiffrées (« — » des
deux côtés, jamais « changé »)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from indicateurs.models import Saisie, Valeur
from rapports.comparaison import differences
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import (
    AffectationFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    construire_quartier,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

STATUT = 9  # colonne « Statut » des valeurs (rapports.exports._en_tetes_valeurs)


def _ajouter_texte(quartier, code: str, textes: dict[int, str]) -> None:
    """Un indicateur en texte suivi par le quartier, renseigné aux trimestres de 2023 donnés."""
    indicateur = IndicateurFactory(code=code, nom_fr=f"Texte {code}", unite="texte")
    IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur, valeur_reference=None)
    for trimestre, texte in textes.items():
        saisie = Saisie.objects.get(
            table=quartier.table, periode=periode_du_trimestre(2023, trimestre)
        )
        Valeur.objects.create(saisie=saisie, indicateur=indicateur, valeur_texte=texte)


@pytest.fixture
def quartier():
    """Un indicateur chiffré et un indicateur en texte (« politique »), quatre trimestres de
    2023; le texte change entre T1 et T2, rien n'est saisi en T3 ni en T4."""
    quartier = construire_quartier(nom="Alpha", indicateurs=1, trimestres=4)
    _ajouter_texte(quartier, "politique", {1: "Avant", 2: "Après"})
    return quartier


def _instantane(quartier, trimestre: int) -> dict:
    bilan = Bilan(
        portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=trimestre, langue="fr"
    )
    return construire_instantane(bilan)


def _lignes_csv(instantane: dict) -> list[list[str]]:
    contenu = exporter_csv(instantane).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(contenu, newline=""), delimiter=";"))[1:]


def test_le_csv_et_le_xlsx_ne_donnent_pas_de_statut_a_un_texte(quartier):
    instantane = _instantane(quartier, 4)
    lignes = _lignes_csv(instantane)
    textes = [ligne for ligne in lignes if ligne[1] == "politique"]
    chiffres = [ligne for ligne in lignes if ligne[1] != "politique"]
    assert [ligne[6] for ligne in textes if ligne[6]] == ["Avant", "Après"]
    assert textes and all(ligne[STATUT] == "" for ligne in textes)
    # L'indicateur chiffré garde son statut.
    assert chiffres and all(ligne[STATUT] for ligne in chiffres)

    feuille = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane))).worksheets[0]
    rangees = list(feuille.iter_rows(min_row=2, values_only=True))
    assert {r[STATUT] for r in rangees if r[1] == "politique"} == {None}
    assert all(r[STATUT] for r in rangees if r[1] != "politique")


def test_les_exports_restent_les_memes_octets_pour_le_meme_instantane(quartier):
    instantane = _instantane(quartier, 4)
    assert exporter_csv(instantane) == exporter_csv(instantane)
    assert exporter_xlsx(instantane) == exporter_xlsx(instantane)


def test_la_comparaison_ne_donne_pas_de_statut_a_un_texte(quartier):
    instantane = _instantane(quartier, 4)
    par_code = {d.code: d for d in differences(instantane, instantane)}
    texte = par_code["politique"]
    assert (texte.statut_a, texte.statut_b) == (None, None)
    assert (texte.texte_a, texte.texte_b) == ("Après", "Après")
    assert not texte.a_change
    (chiffre,) = (d for code, d in par_code.items() if code != "politique")
    assert chiffre.statut_a and chiffre.valeur_a == "13"
    assert (chiffre.texte_a, chiffre.texte_b) == (None, None)


def test_la_comparaison_voit_un_texte_qui_change(quartier):
    t1, t2 = _instantane(quartier, 1), _instantane(quartier, 2)
    (texte,) = (d for d in differences(t1, t2) if d.code == "politique")
    assert (texte.texte_a, texte.texte_b) == ("Avant", "Après")
    assert texte.a_change and texte.en_texte
    # Le même texte aux deux bilans (T2 puis T4, sans nouveau texte) n'a pas changé.
    (meme,) = (d for d in differences(t2, _instantane(quartier, 4)) if d.code == "politique")
    assert (meme.texte_a, meme.texte_b, meme.a_change) == ("Après", "Après", False)


def _bilan_pret(quartier, trimestre: int) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=quartier,
        annee=2023,
        trimestre=trimestre,
        langue="fr",
        statut=StatutBilan.PRET,
        instantane=_instantane(quartier, trimestre),
    )


def _rangee(contenu: str, nom: str) -> str:
    debut = contenu.index(f'<th scope="row">{nom}</th>')
    return contenu[contenu.rindex("<tr", 0, debut) : contenu.index("</tr>", debut)]


def test_la_page_de_comparaison_montre_et_marque_le_texte_qui_change(client, quartier):
    a, b = _bilan_pret(quartier, 1), _bilan_pret(quartier, 2)
    client.force_login(AffectationFactory(quartier=quartier, role="coordonnateur").utilisateur)
    reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk})
    assert reponse.status_code == 200
    rangee = _rangee(reponse.content.decode(), "Texte politique")
    assert 'class="a-change"' in rangee
    # Chaque texte avec son trimestre; ni évolution ni statut pour un texte.
    assert (
        '<td>Avant <span class="periode">(T1 2023)</span></td>'
        '<td><strong>Après</strong> <span class="periode">(T2 2023)</span></td>'
        "<td>—</td><td>—</td><td>—</td>"
    ) in rangee
    assert "sans données" not in rangee


def test_la_page_de_comparaison_fait_autant_de_requetes_pour_dix_fois_plus_de_textes(
    client, quartier, django_assert_num_queries
):
    """La comparaison lit les deux instantanés, jamais les indicateurs un à un. Requêtes : la
    session, la personne, le bilan A et le bilan B (chacun avec son quartier, accès compris)."""
    personne = AffectationFactory(quartier=quartier, role="coordonnateur").utilisateur
    client.force_login(personne)

    def compter() -> int:
        a, b = _bilan_pret(quartier, 1), _bilan_pret(quartier, 2)
        with django_assert_num_queries(REQUETES):
            reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk})
        return reponse.content.decode().count('class="a-change"')

    assert compter() == 2  # le texte et l'indicateur chiffré (10 puis 11)
    for numero in range(10):
        _ajouter_texte(quartier, f"texte-{numero}", {1: "Un", 2: f"Deux {numero}"})
    assert compter() == 12


REQUETES = 4


def test_la_page_de_comparaison_en_anglais_ecrit_a_et_b_a_l_anglaise(client, quartier):
    from django.conf import settings

    a, b = _bilan_pret(quartier, 1), _bilan_pret(quartier, 2)
    client.force_login(AffectationFactory(quartier=quartier, role="coordonnateur").utilisateur)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    contenu = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk}).content.decode()
    assert "<p>A: <a" in contenu and " · B: <a" in contenu
