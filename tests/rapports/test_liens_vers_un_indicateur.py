"""La page d'un indicateur entre les quartiers (`indicateur_entre_quartiers`) n'avait aucun lien :
on n'y arrivait qu'en tapant l'adresse. Elle est liée là où l'indicateur est nommé : le titre de
chaque courbe (et de chaque tableau de textes) du tableau de bord d'un quartier, les indicateurs
calculés de la vue d'ensemble du PIC, les codes des indicateurs de la théorie du changement. Les
liens des tableaux de bord gardent le filtre de la page s'il est valide; la coordination n'y voit
que son quartier, comme avant."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from indicateurs.models import StatutIndicateur
from rapports.templatetags.graphiques_html import article_de_courbe
from tests.factories import (
    AffectationFactory,
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    construire_quartier,
)
from tests.rapports.test_graphiques_html import _serie

pytestmark = pytest.mark.django_db

FILTRE = {"debut": "2023-T2", "fin": "2023-T3", "famille": "processus"}
REQUETE = "?debut=2023-T2&fin=2023-T3&famille=processus"


def _page(client, adresse: str, donnees: dict | None = None, statut: int = 200) -> str:
    reponse = client.get(adresse, donnees or {})
    assert reponse.status_code == statut
    return reponse.content.decode()


def _titre_de_courbe(page: str, code: str) -> str:
    (titre,) = re.findall(
        rf'<article class="courbe[^"]*" id="courbe-{code}">\s*<h3>(.*?)</h3>', page
    )
    return titre


def _lien(fragment: str) -> tuple[str, str]:
    """Le seul lien de `fragment` : (adresse, texte)."""
    ((adresse, texte),) = re.findall(r'<a href="([^"]*)">(.*?)</a>', fragment)
    return html.unescape(adresse), texte


@pytest.fixture
def alpha_beta():
    alpha = construire_quartier(nom="Alpha", indicateurs=2, trimestres=4)
    beta = construire_quartier(nom="Beta", indicateurs=1, trimestres=4)
    # Beta suit aussi les indicateurs d'Alpha, et Alpha un indicateur en texte.
    for suivi in alpha.indicateurs_suivis.all():
        IndicateurSuiviFactory(quartier=beta, indicateur=suivi.indicateur)
    IndicateurSuiviFactory(
        quartier=alpha, indicateur=IndicateurFactory(code="recit", unite="texte")
    )
    return alpha, beta


def test_chaque_titre_de_courbe_mene_a_l_indicateur_entre_les_quartiers(client, eve, alpha_beta):
    alpha, _beta = alpha_beta
    client.force_login(eve)
    page = _page(client, reverse("tableau_quartier", args=[alpha.slug]), FILTRE)
    codes = list(alpha.indicateurs_suivis.values_list("indicateur__code", flat=True))
    assert len(codes) == 3 and "recit" in codes  # deux courbes, un tableau de textes
    for code in codes:
        adresse, texte = _lien(_titre_de_courbe(page, code))
        assert adresse == reverse("indicateur_entre_quartiers", args=[code]) + REQUETE
        assert texte == f"Indicateur {code}"
        arrivee = _page(client, adresse)
        assert f"<h1>Indicateur {code}</h1>" in arrivee
        assert '<option value="2023-T2" selected>' in arrivee  # le filtre suit
        assert "<h2>Alpha</h2>" in arrivee or '<th scope="row">Alpha</th>' in arrivee


def test_sous_un_filtre_invalide_le_lien_mene_au_filtre_par_defaut(client, eve, alpha_beta):
    alpha, _beta = alpha_beta
    client.force_login(eve)
    invalide = {"debut": "2023-T3", "fin": "2023-T2"}
    page = _page(client, reverse("tableau_quartier", args=[alpha.slug]), invalide, statut=400)
    code = alpha.indicateurs_suivis.first().indicateur.code
    adresse, _texte = _lien(_titre_de_courbe(page, code))
    assert adresse == reverse("indicateur_entre_quartiers", args=[code])


def test_la_coordination_suit_le_lien_et_ne_voit_que_son_quartier(client, alpha_beta):
    alpha, _beta = alpha_beta
    coordonnatrice = AffectationFactory(quartier=alpha, role="coordonnateur").utilisateur
    client.force_login(coordonnatrice)
    page = _page(client, reverse("tableau_quartier", args=[alpha.slug]))
    code = alpha.indicateurs_suivis.exclude(indicateur__unite="texte").first().indicateur.code
    arrivee = _page(client, _lien(_titre_de_courbe(page, code))[0])
    assert '<th scope="row">Alpha</th>' in arrivee and "Beta" not in arrivee


def test_la_vue_d_ensemble_lie_ses_indicateurs_calcules(client, eve, alpha_beta):
    IndicateurFactory(code="partenaires", mode="calcule", calcul="partenaires_actifs")
    IndicateurFactory(code="partenaires-b", mode="calcule", calcul="partenaires_actifs")
    IndicateurFactory(
        code="secteurs", mode="calcule", calcul="secteurs_distincts", statut=StatutIndicateur.RETIRE
    )
    client.force_login(eve)
    page = _page(client, reverse("tableau_pic"), FILTRE)
    (entetes,) = re.findall(r"<caption>Indicateurs calculés.*?</thead>", page, re.S)
    liens = re.findall(r'<a href="([^"]*)">(.*?)</a>', entetes)
    # Le premier code du catalogue qui porte le calcul; un indicateur retiré n'a pas de page.
    assert [(html.unescape(a), t) for a, t in liens[1:]] == [
        (
            reverse("indicateur_entre_quartiers", args=["partenaires"]) + REQUETE,
            "partenaires actifs",
        )
    ]
    assert ">secteurs distincts des partenaires</th>" in entetes
    assert "<h1>Indicateur partenaires</h1>" in _page(client, html.unescape(liens[1][0]))


def test_la_theorie_du_changement_lie_les_codes_qui_ont_une_page(client, eve, alpha_beta):
    alpha, _beta = alpha_beta
    client.force_login(eve)
    mesure = alpha.indicateurs_suivis.first().indicateur
    non_suivi = IndicateurFactory(code="non-suivi")
    propose = IndicateurFactory(code="propose", statut=StatutIndicateur.PROPOSE)
    retire = IndicateurFactory(code="retire", statut=StatutIndicateur.RETIRE)
    changement = ChangementViseFactory(strategie=alpha.strategies.get())
    changement.indicateurs.set([mesure, non_suivi, propose, retire])
    page = _page(client, reverse("theorie_du_changement", args=[alpha.slug]))
    (ligne,) = [ligne for ligne in page.split("<tr>") if f">{changement.code}</th>" in ligne]
    liens = [(html.unescape(a), t) for a, t in re.findall(r'<a href="([^"]*)">(.*?)</a>', ligne)]
    assert liens == [
        (reverse("indicateur_entre_quartiers", args=[code]), code)
        for code in sorted([mesure.code, "non-suivi"])
    ]
    for adresse, _code in liens:
        assert client.get(adresse).status_code == 200
    assert client.get(reverse("indicateur_entre_quartiers", args=["propose"])).status_code == 404


def test_l_adresse_de_la_courbe_est_echappee():
    serie = _serie([])
    courbe = {
        "serie": serie,
        "statut": "en_bonne_voie",
        "libelle_statut": "En bonne voie",
        "figure": {"data": [], "layout": {}},
        "lignes": [],
        "adresse": '/x/?a=1&b="2"',
    }
    assert '<a href="/x/?a=1&amp;b=&quot;2&quot;">Nom &lt;b&gt;' in article_de_courbe(courbe)
