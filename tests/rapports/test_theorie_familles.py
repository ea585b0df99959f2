"""Dans le graphe de la théorie du changement, la couleur d'un nœud dit la famille de son
changement visé : une couleur fixe par famille (écrite une fois, `COULEURS_FAMILLE`), la même
d'une version à l'autre, nommée par une légende traduite sur la page; le tableau des
changements visés dit la famille en toutes lettres."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from indicateurs.models import Famille, StatutStrategie
from rapports.graphique_theorie import (
    COULEURS_FAMILLE,
    graphe_theorie_du_changement,
    legende_des_familles,
)
from tests.factories import ChangementViseFactory, QuartierFactory, StrategieFactory


def noeud(code: str, famille: Famille) -> dict:
    return {
        "code": code,
        "libelle": f"Changement {code}",
        "horizon": "court",
        "famille": str(famille.label),
        "code_famille": famille.value,
        "indicateurs": [],
        "actions": [],
    }


def couleurs(figure: dict) -> dict[str, str]:
    trace = figure["data"][1]
    return dict(zip(trace["text"], trace["marker"]["line"]["color"], strict=True))


def test_une_famille_garde_sa_couleur_quel_que_soit_l_ordre_des_noeuds():
    v1 = graphe_theorie_du_changement(
        [noeud("C5", Famille.CONDITIONS_DE_VIE), noeud("C1", Famille.PERSONNES)], []
    )
    v2 = graphe_theorie_du_changement(
        [noeud("C1", Famille.SYSTEME), noeud("C5", Famille.CONDITIONS_DE_VIE)], []
    )
    assert couleurs(v1)["C5"] == couleurs(v2)["C5"] == COULEURS_FAMILLE[Famille.CONDITIONS_DE_VIE]
    assert couleurs(v2)["C1"] == COULEURS_FAMILLE[Famille.SYSTEME] != couleurs(v2)["C5"]


def test_chaque_famille_a_sa_couleur_a_elle():
    assert set(COULEURS_FAMILLE) == set(Famille)
    assert len(set(COULEURS_FAMILLE.values())) == len(Famille)


def test_la_legende_nomme_les_familles_presentes_dans_leur_ordre_et_traduites():
    noeuds = [noeud("C1", Famille.SYSTEME), noeud("C2", Famille.PERSONNES)]
    noeuds.append(noeud("C3", Famille.SYSTEME))
    assert legende_des_familles(noeuds) == [
        ("personnes", COULEURS_FAMILLE[Famille.PERSONNES]),
        ("système", COULEURS_FAMILLE[Famille.SYSTEME]),
    ]
    with translation.override("en"):
        assert [libelle for libelle, _c in legende_des_familles(noeuds)] == ["people", "system"]
    assert legende_des_familles([]) == []


# --- La page -------------------------------------------------------------------------------------


@pytest.fixture
def quartier(db):
    """Deux versions : en v1, « conditions de vie » vient en premier; en v2, après « système »."""
    quartier = QuartierFactory(nom="Gamma")
    v1 = StrategieFactory(quartier=quartier, version=1, statut=StatutStrategie.ARCHIVEE)
    ChangementViseFactory(strategie=v1, code="C5", famille=Famille.CONDITIONS_DE_VIE)
    ChangementViseFactory(strategie=v1, code="C1", famille=Famille.PERSONNES)
    v2 = StrategieFactory(quartier=quartier, version=2, statut=StatutStrategie.EN_VIGUEUR)
    ChangementViseFactory(strategie=v2, code="C1", famille=Famille.SYSTEME)
    ChangementViseFactory(strategie=v2, code="C5", famille=Famille.CONDITIONS_DE_VIE)
    return quartier


def _page(client, quartier, version: int, langue: str = "fr"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    adresse = reverse("theorie_du_changement", args=[quartier.slug])
    reponse = client.get(adresse, {"version": version})
    assert reponse.status_code == 200
    return reponse


def _legende(contenu: str) -> list[tuple[str, str]]:
    """(couleur de la pastille, famille) de chaque entrée de la légende."""
    legende = contenu.split('class="legende-familles"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"solid (#\w+);[^>]*></span>([^<]+)</li>", legende)


def _familles_du_tableau(contenu: str) -> dict[str, str]:
    """Code → quatrième colonne (Famille) du tableau des changements visés."""
    tableau = contenu.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    lignes = re.findall(
        r"<tr><th scope=\"row\">([^<]*)</th>(?:<td[^>]*>[^<]*</td>){2}<td[^>]*>([^<]*)</td>",
        tableau,
    )
    return dict(lignes)


def test_la_page_montre_la_meme_couleur_pour_une_famille_dans_les_deux_versions(
    client, eve, quartier
):
    client.force_login(eve)
    v1, v2 = _page(client, quartier, 1), _page(client, quartier, 2)
    vert = COULEURS_FAMILLE[Famille.CONDITIONS_DE_VIE]
    assert couleurs(v1.context["figure"])["C5"] == couleurs(v2.context["figure"])["C5"] == vert
    assert _legende(v1.content.decode()) == [
        (COULEURS_FAMILLE[Famille.PERSONNES], "personnes"),
        (vert, "conditions de vie"),
    ]
    assert _legende(v2.content.decode()) == [
        (vert, "conditions de vie"),
        (COULEURS_FAMILLE[Famille.SYSTEME], "système"),
    ]


def test_le_tableau_des_changements_vises_dit_leur_famille(client, eve, quartier):
    client.force_login(eve)
    contenu = _page(client, quartier, 2).content.decode()
    assert '<th scope="col">Famille</th>' in contenu
    assert _familles_du_tableau(contenu) == {"C1": "système", "C5": "conditions de vie"}


def test_la_legende_et_le_tableau_en_anglais(client, eve, quartier):
    client.force_login(eve)
    contenu = _page(client, quartier, 2, langue="en").content.decode()
    assert [libelle for _c, libelle in _legende(contenu)] == ["living conditions", "system"]
    assert '<th scope="col">Family</th>' in contenu
    assert _familles_du_tableau(contenu) == {"C1": "system", "C5": "living conditions"}
