"""Les tableaux de bord : accès, filtres, CSV, et requêtes constantes quel que soit le volume."""

from __future__ import annotations

import csv
import datetime
import io
import json

import plotly.graph_objects as go
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs.models import Apprentissage, Famille, Indicateur, Periode, StatutStrategie
from tests.factories import (
    ActionFactory,
    AffectationFactory,
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    StrategieFactory,
    construire_quartier,
)

pytestmark = pytest.mark.django_db


def _lire_csv(reponse) -> list[list[str]]:
    texte = reponse.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(texte), delimiter=";"))


def _figures(reponse) -> dict[str, dict]:
    """Les figures JSON (json_script) d'une page, validées par plotly."""
    import re

    contenu = reponse.content.decode()
    figures = {}
    for ident, texte in re.findall(
        r'<script id="([^"]+)" type="application/json">(.*?)</script>', contenu, re.S
    ):
        figure = json.loads(texte)
        go.Figure(figure)  # lève une erreur si la figure n'est pas valide pour plotly.js
        figures[ident] = figure
    return figures


@pytest.fixture
def deux_quartiers(quartier_a, quartier_b):
    a = construire_quartier(nom="Alpha", indicateurs=3, trimestres=4)
    b = construire_quartier(nom="Beta", indicateurs=3, trimestres=4)
    return a, b


# --- Accès ----------------------------------------------------------------------------------


def test_le_coordonnateur_ne_voit_que_son_quartier_partout(client, deux_quartiers):
    alpha, beta = deux_quartiers
    coordonnatrice = AffectationFactory(quartier=alpha, role="coordonnateur").utilisateur
    client.force_login(coordonnatrice)
    apercu = client.get(reverse("tableau_pic"))
    assert apercu.status_code == 200
    contenu = apercu.content.decode()
    assert "Alpha" in contenu and "Beta" not in contenu
    for nom in ("progression", "completude", "partenaires"):
        lignes = _lire_csv(client.get(reverse("tableau_pic"), {"csv": nom}))
        assert {ligne[0] for ligne in lignes[1:]} == {"Alpha"}
    assert client.get(reverse("tableau_quartier", args=[beta.slug])).status_code == 404
    assert client.get(reverse("theorie_du_changement", args=[beta.slug])).status_code == 404
    url_b = reverse("tableau_quartier", args=[beta.slug])
    assert client.get(url_b, {"csv": "series"}).status_code == 404
    code = beta.indicateurs_suivis.first().indicateur.code
    lignes = _lire_csv(
        client.get(reverse("indicateur_entre_quartiers", args=[code]), {"csv": "quartiers"})
    )
    assert lignes[1:] == []  # Beta suit cet indicateur, mais il est invisible pour elle


def test_le_conseiller_voit_ses_quartiers_affectes(client, deux_quartiers, quartier_a):
    alpha, _beta = deux_quartiers
    conseiller = AffectationFactory(quartier=alpha, role="conseiller").utilisateur
    AffectationFactory(utilisateur=conseiller, quartier=quartier_a, role="conseiller")
    client.force_login(conseiller)
    lignes = _lire_csv(client.get(reverse("tableau_pic"), {"csv": "progression"}))
    assert {ligne[0] for ligne in lignes[1:]} == {"Alpha", "Quartier A"}


def test_l_evaluatrice_voit_tous_les_quartiers(client, eve, deux_quartiers):
    client.force_login(eve)
    lignes = _lire_csv(client.get(reverse("tableau_pic"), {"csv": "progression"}))
    assert {ligne[0] for ligne in lignes[1:]} == {"Alpha", "Beta", "Quartier A", "Quartier B"}


@pytest.mark.parametrize("nom", ["tableau_pic"])
def test_anonyme_renvoye_a_la_connexion(client, nom):
    assert client.get(reverse(nom)).status_code == 302


# --- Contenu --------------------------------------------------------------------------------


def test_le_tableau_du_quartier_montre_une_courbe_par_indicateur(client, eve, deux_quartiers):
    alpha, _beta = deux_quartiers
    indicateur = alpha.indicateurs_suivis.first().indicateur
    Apprentissage.objects.create(
        quartier=alpha,
        periode=Periode.objects.get(annee=2023, trimestre=2),
        categorie="defis",
        indicateur=indicateur,
        texte_fr="Une pénurie de bénévoles au printemps.",
    )
    client.force_login(eve)
    reponse = client.get(reverse("tableau_quartier", args=[alpha.slug]))
    figures = _figures(reponse)
    courbes = [f for i, f in figures.items() if i.startswith("fig-")]
    assert len(courbes) == 3
    figure = figures[f"fig-{indicateur.code}-donnees"]
    noms = {trace.get("name") for trace in figure["data"]}
    assert {"Valeurs", "Référence", "Apprentissages"} <= noms
    assert "pénurie de bénévoles" in reponse.content.decode()
    lignes = _lire_csv(
        client.get(reverse("tableau_quartier", args=[alpha.slug]), {"csv": "series"})
    )
    assert len(lignes) == 1 + 3 * 4


def test_les_figures_de_la_vue_d_ensemble_sont_valides(client, eve, deux_quartiers):
    client.force_login(eve)
    figures = _figures(client.get(reverse("tableau_pic")))
    assert {"progression-donnees", "completude-donnees", "partenaires-donnees"} <= set(figures)


def test_la_theorie_du_changement_et_ses_versions(client, eve, deux_quartiers):
    alpha, _beta = deux_quartiers
    client.force_login(eve)
    reponse = client.get(reverse("theorie_du_changement", args=[alpha.slug]))
    assert "theorie-donnees" in _figures(reponse)
    url = reverse("theorie_du_changement", args=[alpha.slug])
    assert client.get(url, {"version": "1"}).status_code == 200
    assert client.get(url, {"version": "9"}).status_code == 404
    assert client.get(url, {"version": "abc"}).status_code == 404


@pytest.mark.parametrize("version", ["²", "１", "١", "9" * 5000, " 1", "1\n", "+1", "1_0", ""])
def test_une_version_qui_n_est_pas_en_chiffres_ascii_repond_404(client, eve, version):
    # « ² » passe str.isdigit() mais pas int(), ni 5 000 chiffres (limite de int()) : c'étaient
    # des erreurs 500. « １ » (pleine chasse) et « ١ » (arabe) valaient la version 1. Seule une
    # suite de chiffres 0-9 est une version.
    quartier = QuartierFactory(nom="Gamma")
    StrategieFactory(quartier=quartier, statut=StatutStrategie.EN_VIGUEUR)
    client.force_login(eve)
    url = reverse("theorie_du_changement", args=[quartier.slug])
    assert client.get(url, {"version": version}).status_code == 404


def test_la_theorie_liste_indicateurs_et_actions_de_chaque_changement_dans_l_ordre(client, eve):
    quartier = QuartierFactory(nom="Gamma")
    strategie = StrategieFactory(quartier=quartier, statut=StatutStrategie.EN_VIGUEUR)
    changement, vide = ChangementViseFactory.create_batch(2, strategie=strategie)
    for code in ["zz-b", "aa-b", "mm-a"]:  # famille, puis code
        famille = Famille.PERSONNES if code.endswith("a") else Famille.PROCESSUS
        changement.indicateurs.add(IndicateurFactory(code=code, famille=famille))
    for titre, debut in [("Plus tard", 2021), ("Zèbre", 2019), ("Avant", 2019)]:  # début, titre
        action = ActionFactory(quartier=quartier, titre=titre, debut=datetime.date(debut, 1, 1))
        action.changements.add(changement)
    client.force_login(eve)
    reponse = client.get(reverse("theorie_du_changement", args=[quartier.slug]))
    noeuds = {n["code"]: n for n in reponse.context["theorie"].noeuds}
    attendus = [i.code for i in changement.indicateurs.all()]  # l'ordre du modèle
    assert noeuds[changement.code]["indicateurs"] == attendus
    assert noeuds[changement.code]["actions"] == ["Avant", "Zèbre", "Plus tard"]
    assert noeuds[vide.code]["indicateurs"] == [] and noeuds[vide.code]["actions"] == []
    assert "Avant · Zèbre · Plus tard" in reponse.content.decode()


def test_un_indicateur_entre_quartiers(client, eve, deux_quartiers):
    alpha, _beta = deux_quartiers
    code = alpha.indicateurs_suivis.first().indicateur.code
    client.force_login(eve)
    reponse = client.get(reverse("indicateur_entre_quartiers", args=[code]))
    assert "multiples-donnees" in _figures(reponse)
    assert client.get(reverse("indicateur_entre_quartiers", args=["inconnu"])).status_code == 404


# --- Filtres --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parametres",
    [
        {"debut": "1999-T1"},
        {"theme": "inconnu"},
        {"famille": "x"},
        {"debut": "2023-T4", "fin": "2023-T1"},
    ],
)
def test_un_filtre_invalide_repond_400_avec_un_message(client, eve, deux_quartiers, parametres):
    client.force_login(eve)
    reponse = client.get(reverse("tableau_pic"), parametres)
    assert reponse.status_code == 400
    assert reponse.context["form"].errors


def test_le_filtre_par_periode_restreint_les_series(client, eve, deux_quartiers):
    alpha, _beta = deux_quartiers
    client.force_login(eve)
    url = reverse("tableau_quartier", args=[alpha.slug])
    lignes = _lire_csv(client.get(url, {"csv": "series", "debut": "2023-T2", "fin": "2023-T3"}))
    assert {ligne[2] for ligne in lignes[1:]} == {"T2 2023", "T3 2023"}


def test_le_filtre_par_famille_garde_l_adresse(client, eve, deux_quartiers):
    alpha, _beta = deux_quartiers
    Indicateur.objects.filter(pk=alpha.indicateurs_suivis.first().indicateur_id).update(
        famille="systeme"
    )
    client.force_login(eve)
    url = reverse("tableau_quartier", args=[alpha.slug])
    lignes = _lire_csv(client.get(url, {"csv": "series", "famille": "systeme"}))
    assert len({ligne[0] for ligne in lignes[1:]}) == 1


# --- Requêtes constantes --------------------------------------------------------------------


def _compter(client, url) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def _construire(nb_quartiers: int, indicateurs: int, trimestres: int, prefixe: str) -> list:
    return [
        construire_quartier(nom=f"{prefixe} {rang}", indicateurs=indicateurs, trimestres=trimestres)
        for rang in range(nb_quartiers)
    ]


def test_chaque_tableau_coute_autant_de_requetes_avec_dix_fois_plus_de_donnees(client, eve):
    # Vue d'ensemble : session, utilisateur, périodes et thèmes (filtres), quartiers visibles,
    # suivis, valeurs, cibles, apprentissages, registres (participations, actions), complétude
    # (attendus, présents). Quartier : idem pour un quartier + changements et leurs indicateurs.
    # Théorie : quartier, versions, changements, indicateurs, actions, liens.
    client.force_login(eve)
    petit = _construire(2, 3, 4, "Petit")
    code = petit[0].indicateurs_suivis.first().indicateur.code
    urls = lambda q: [  # noqa: E731
        reverse("tableau_pic"),
        reverse("tableau_quartier", args=[q.slug]),
        reverse("theorie_du_changement", args=[q.slug]),
        reverse("indicateur_entre_quartiers", args=[code]),
    ]
    avant = [_compter(client, url) for url in urls(petit[0])]
    grand = _construire(5, 6, 8, "Grand")  # 240 valeurs de plus, dix fois les 24 du départ
    apres = [_compter(client, url) for url in urls(grand[0])]
    assert apres == avant


def test_les_valeurs_se_lisent_sans_tri_ni_jointure_inutile(client, eve, deux_quartiers):
    """Les valeurs d'un tableau de bord vont dans un dictionnaire : l'ordre par défaut de
    `Valeur` (saisie → période, quartier; indicateur) ajouterait trois jointures et un tri."""
    client.force_login(eve)
    quartier = deux_quartiers[0]
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(reverse("tableau_quartier", args=[quartier.slug])).status_code == 200
    (lecture,) = [
        r["sql"] for r in requetes.captured_queries if 'FROM "indicateurs_valeur"' in r["sql"]
    ]
    assert "ORDER BY" not in lecture
    assert '"quartiers_quartier"' not in lecture and '"indicateurs_indicateur"' not in lecture


def test_un_quartier_sans_indicateur_suivi_le_dit_au_lieu_d_une_ligne_de_zeros(
    client, eve, deux_quartiers
):
    """La vue d'ensemble : un quartier qui ne suit aucun indicateur (ou aucun dans le filtre)
    a sa ligne qui le dit; les autres gardent leurs comptes par statut."""
    QuartierFactory(nom="Gamma", slug="gamma")
    client.force_login(eve)
    page = client.get(reverse("tableau_pic")).content.decode()
    (gamma,) = [ligne for ligne in page.split("<tr>") if ">Gamma</a>" in ligne]
    assert "Aucun indicateur suivi." in gamma
    (alpha,) = [ligne for ligne in page.split("<tr>") if ">Alpha</a></th>" in ligne]
    assert "Aucun indicateur suivi" not in alpha and 'class="nombre"' in alpha


def test_un_quartier_qui_ne_suit_que_des_indicateurs_en_texte_le_dit(client, eve, deux_quartiers):
    delta = QuartierFactory(nom="Delta", slug="delta")
    IndicateurSuiviFactory(quartier=delta, indicateur=IndicateurFactory(code="pol", unite="texte"))
    client.force_login(eve)
    page = client.get(reverse("tableau_pic")).content.decode()
    (ligne,) = [ligne for ligne in page.split("<tr>") if ">Delta</a>" in ligne]
    assert "Indicateurs en texte seulement" in ligne and 'class="nombre"' not in ligne
