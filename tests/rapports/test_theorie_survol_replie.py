"""Les bulles de survol de la théorie du changement tiennent dans la figure : plotly.js ne replie
aucun texte, et la bulle d'un changement aux nombreuses actions faisait plus de 3 600 px de
large (coupée des deux côtés, à l'écran d'un ordinateur comme d'un téléphone); une longue
hypothèse, sur une ligne, sortait de même d'un téléphone. Chaque ligne a au plus
`LARGEUR_SURVOL` caractères, et rien du texte ne se perd (en deçà de ~300 caractères)."""

from __future__ import annotations

import html
import re

from django.utils import translation

from rapports.graphique_theorie import LARGEUR_SURVOL, graphe_theorie_du_changement

ACTIONS = [f"Action citoyenne numéro {rang} du plan de quartier" for rang in range(1, 5)]
HYPOTHESE = (
    "Si les parcs sont animés et bien éclairés, ils deviennent plus fréquentés et moins propices "
    "aux incivilités, ce qui renforce le sentiment de sécurité des familles."
)


def _lignes(survol: str) -> list[str]:
    return [html.unescape(re.sub(r"</?b>", "", ligne)) for ligne in survol.split("<br>")]


def _figure() -> dict:
    noeuds = [
        {
            "code": code,
            "libelle": "Les résident·es participent davantage aux décisions qui touchent le quartier",
            "horizon": horizon,
            "famille": "personnes",
            "code_famille": "personnes",
            "indicateurs": ["pers-leadership-citoyen", "proc-residents-instances"],
            "actions": ACTIONS,
        }
        for code, horizon in (("C1", "court"), ("C2", "long"))
    ]
    with translation.override("fr"):
        return graphe_theorie_du_changement(noeuds, [("C1", "C2", HYPOTHESE)])


def test_la_bulle_d_un_changement_est_repliee_sans_rien_perdre():
    survol = _figure()["data"][1]["hovertext"][0]
    lignes = _lignes(survol)
    assert max(len(ligne) for ligne in lignes) <= LARGEUR_SURVOL, lignes
    texte = " ".join(lignes)
    assert all(action in texte for action in ACTIONS)
    assert survol.startswith("<b>C1 — Les résident·es")


def test_l_hypothese_d_un_lien_est_repliee():
    (fleche,) = [a for a in _figure()["layout"]["annotations"] if a.get("hovertext")]
    lignes = _lignes(fleche["hovertext"])
    assert len(lignes) > 1 and max(len(ligne) for ligne in lignes) <= LARGEUR_SURVOL
    assert " ".join(lignes) == HYPOTHESE
