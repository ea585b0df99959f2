"""Une valeur « non disponible » (une absence expliquée par la table) se lit « n.d. », avec sa
raison, partout où elle se montre : le tableau de données du tableau de bord et son CSV, l'instantané
d'un bilan, son HTML et son PDF (la raison en note sous la courbe), son XLSX et son CSV; la
complétude du bilan dit combien des valeurs présentes sont « non disponible ». Avant : un tiret
« — », la raison perdue, et la complétude les comptait comme présentes sans le dire. Un
instantané d'avant (sans ces clés) se rend et se compare toujours."""

from __future__ import annotations

import copy
import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from indicateurs.models import Saisie, Valeur
from rapports import comparaison, rendu
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.forms import FiltreForm
from rapports.instantane import construire_instantane, somme_de_controle
from rapports.lectures import lire_series
from rapports.models import Bilan, Portee
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, construire_quartier

pytestmark = pytest.mark.django_db

RAISON = "Données du CLSC <pas encore> publiées & attendues"
RAISON_TEXTE = "Séance du conseil reportée"
ABBR = (
    '<abbr class="non-disponible" title="non disponible (Données du CLSC &lt;pas encore&gt; '
    'publiées &amp; attendues)">n.d.</abbr>'
)


def _quartier_avec_absences():
    """Alpha : un indicateur chiffré sur quatre trimestres de 2023, « non disponible » au T2,
    et un indicateur en texte « non disponible » au T3."""
    quartier = construire_quartier(nom="Alpha", indicateurs=1, trimestres=4)
    saisies = list(Saisie.objects.filter(table=quartier.table).order_by("periode__debut"))
    valeur = Valeur.objects.get(saisie=saisies[1])
    valeur.valeur_numerique, valeur.non_disponible = None, True
    valeur.raison_non_disponible = RAISON
    valeur.save()
    politique = IndicateurFactory(code="politique", nom_fr="Politique municipale", unite="texte")
    IndicateurSuiviFactory(quartier=quartier, indicateur=politique, valeur_reference=None)
    Valeur.objects.create(saisie=saisies[0], indicateur=politique, valeur_texte="Démarche")
    Valeur.objects.create(
        saisie=saisies[2],
        indicateur=politique,
        non_disponible=True,
        raison_non_disponible=RAISON_TEXTE,
    )
    return quartier, valeur.indicateur.code


def _instantane(quartier, langue: str = "fr") -> dict:
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue=langue)
    return construire_instantane(bilan)


def _sans_les_cles_d_absence(instantane: dict) -> dict:
    """Le même instantané tel qu'un générateur d'avant evalpic-bilan-1.4 l'aurait figé."""
    ancien = copy.deepcopy(instantane)
    for quartier in ancien["quartiers"]:
        quartier["completude"].pop("non_disponibles")
        for serie in quartier["series"]:
            for point in serie["points"]:
                point.pop("non_disponible", None)
                point.pop("raison", None)
    return ancien


def _lire_csv(contenu: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=";"))


# --- Lecture et instantané ----------------------------------------------------------------------


def test_les_series_portent_l_absence_et_sa_raison():
    quartier, code = _quartier_avec_absences()
    series = {s.code: s for s in lire_series([quartier], FiltreForm().filtre())[quartier.pk]}
    points = {p.periode: p for p in series[code].points}
    assert points["2023-T2"].valeur is None
    assert (points["2023-T2"].non_disponible, points["2023-T2"].raison) == (True, RAISON)
    assert not points["2023-T1"].non_disponible and points["2023-T1"].raison == ""
    textes = {p.periode: p for p in series["politique"].points}
    assert (textes["2023-T3"].non_disponible, textes["2023-T3"].raison) == (True, RAISON_TEXTE)
    assert textes["2023-T1"].texte == "Démarche"


def test_l_instantane_garde_l_absence_sa_raison_et_les_compte():
    quartier, code = _quartier_avec_absences()
    instantane = _instantane(quartier)
    (alpha,) = instantane["quartiers"]
    series = {s["code"]: s for s in alpha["series"]}
    points = {p["periode"]: p for p in series[code]["points"]}
    assert points["2023-T2"] == {
        "periode": "2023-T2",
        "libelle": "T2 2023",
        "valeur": None,
        "non_disponible": True,
        "raison": RAISON,
    }
    # Les autres points ne changent pas d'un octet.
    assert set(points["2023-T1"]) == {"periode", "libelle", "valeur"}
    # Deux absences expliquées, comptées parmi les présentes (8 attendues, 6 présentes).
    assert alpha["completude"]["renseignees"] == 6
    assert alpha["completude"]["non_disponibles"] == 2
    json.dumps(instantane)


# --- Le bilan : HTML, impression, comparaison -----------------------------------------------------


def test_le_bilan_ecrit_n_d_et_la_raison_en_note_sous_la_courbe():
    quartier, _code = _quartier_avec_absences()
    html = rendu.contenu(_instantane(quartier), titre="Bilan")
    assert ABBR in html
    assert "T2 2023 — non disponible (Données du CLSC &lt;pas encore&gt; publiées" in html
    assert "T3 2023 — non disponible (Séance du conseil reportée)" in html
    assert "dont non disponibles" in html
    assert '<td class="nombre">2</td><td class="nombre">2</td></tr>' in html  # 2 n.d., 2 manquantes


@pytest.mark.parametrize("portee", [Portee.QUARTIER, Portee.PIC])
def test_le_pdf_imprime_la_raison_meme_sans_tableau(portee):
    """Imprimé, un titre ne se lit pas : la raison est en note, même dans le PDF du PIC, qui
    n'imprime pas les tableaux des courbes."""
    quartier, _code = _quartier_avec_absences()
    bilan = Bilan(portee=portee, quartier=quartier if portee == Portee.QUARTIER else None)
    bilan.annee, bilan.trimestre, bilan.langue = 2023, 4, "fr"
    imprime = rendu.rendre(
        construire_instantane(bilan), titre="Bilan", image=lambda _figure, cle: f"img:{cle}"
    )
    assert "T2 2023 — non disponible (Données du CLSC &lt;pas encore&gt; publiées" in imprime


def test_en_anglais_la_raison_suit_not_available():
    quartier, _code = _quartier_avec_absences()
    html = rendu.contenu(_instantane(quartier, "en"), titre="Report")
    assert 'title="not available (Données du CLSC &lt;pas encore&gt;' in html
    assert "Q2 2023 — not available (Données du CLSC" in html


def test_un_instantane_d_avant_se_rend_et_se_compare_toujours():
    quartier, code = _quartier_avec_absences()
    instantane = _instantane(quartier)
    ancien = _sans_les_cles_d_absence(instantane)
    html = rendu.contenu(ancien, titre="Bilan")
    assert "n.d." not in html and "non disponible (" not in html  # un tiret, comme alors
    assert '<td class="nombre">—</td><td class="nombre">2</td></tr>' in html  # non compté
    lignes = comparaison.differences(ancien, instantane)
    (ligne,) = [d for d in lignes if d.code == code]
    assert not ligne.a_change
    for fichier in (exporter_csv(ancien), exporter_xlsx(ancien)):
        assert fichier


# --- Les exports du bilan -----------------------------------------------------------------------


def test_le_csv_et_le_xlsx_du_bilan_portent_l_absence_et_sa_raison():
    quartier, code = _quartier_avec_absences()
    instantane = _instantane(quartier)
    en_tete, *lignes = _lire_csv(exporter_csv(instantane))
    assert en_tete[10:12] == ["Non disponible", "Raison de l'absence"]
    par_cle = {(ligne[1], ligne[4]): ligne for ligne in lignes}
    absente = par_cle[code, "2023-T2"]
    assert (absente[6], absente[10], absente[11]) == ("", "oui", RAISON)
    assert par_cle[code, "2023-T1"][10:12] == ["non", ""]
    assert par_cle["politique", "2023-T3"][10:12] == ["oui", RAISON_TEXTE]

    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    valeurs = list(classeur["Valeurs"].iter_rows(values_only=True))
    assert valeurs[0][10:12] == ("Non disponible", "Raison de l'absence")
    (ligne,) = [v for v in valeurs if v[1] == code and v[4] == "2023-T2"]
    assert (ligne[6], ligne[10], ligne[11]) == (None, "oui", RAISON)
    completude = list(classeur["Complétude"].iter_rows(values_only=True))
    assert completude[0][5] == "dont non disponibles"
    # La période du bilan, puis la fenêtre (depuis evalpic-bilan-1.6, colonne « Période »).
    assert completude[1] == ("Alpha", "Période du bilan (T4 2023)", 2, 1, 1, 0, 1)
    fenetre = "Fenêtre des données (T1 2023 à T4 2023, 4 trimestres)"
    assert completude[2] == ("Alpha", fenetre, 8, 6, 6, 2, 2)


def test_regenerer_depuis_l_instantane_stocke_redonne_les_memes_octets():
    """Le JSON stocké (jsonb, clés réordonnées) redonne les mêmes exports, à l'octet."""
    quartier, _code = _quartier_avec_absences()
    instantane = _instantane(quartier)
    relu = json.loads(json.dumps(instantane, sort_keys=True))
    assert somme_de_controle(relu) == somme_de_controle(instantane)
    assert exporter_csv(relu) == exporter_csv(instantane)
    assert exporter_xlsx(relu) == exporter_xlsx(instantane)


# --- Le tableau de bord -------------------------------------------------------------------------


def test_le_tableau_de_bord_ecrit_n_d_avec_sa_raison_et_son_csv_la_porte(client, eve):
    quartier, code = _quartier_avec_absences()
    client.force_login(eve)
    url = reverse("tableau_quartier", args=[quartier.slug])
    page = client.get(url).content.decode()
    assert ABBR in page
    assert "<li>T2 2023 — non disponible (Données du CLSC &lt;pas encore&gt;" in page
    assert "non disponible (Séance du conseil reportée)" in page  # l'indicateur en texte
    en_tete, *lignes = _lire_csv(client.get(url, {"csv": "series"}).content)
    assert en_tete[-2:] == ["Non disponible", "Raison de l'absence"]
    (absente,) = [ligne for ligne in lignes if ligne[0] == code and ligne[2] == "T2 2023"]
    assert (absente[3], absente[-2], absente[-1]) == ("", "oui", RAISON)


def test_entre_quartiers_la_case_dit_n_d_et_le_csv_la_raison(client, eve):
    _quartier, code = _quartier_avec_absences()
    client.force_login(eve)
    url = reverse("indicateur_entre_quartiers", args=[code])
    assert ABBR in client.get(url).content.decode()
    _en_tete, *lignes = _lire_csv(client.get(url, {"csv": "quartiers"}).content)
    (absente,) = [ligne for ligne in lignes if ligne[1] == "T2 2023"]
    assert absente[-2:] == ["oui", RAISON]
    client.cookies["django_language"] = "en"
    assert 'title="not available (Données' in client.get(url).content.decode()
