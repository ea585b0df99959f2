"""Le plotly.js servi aux navigateurs : le paquet partiel « cartesian », de la même version que
celui qu'embarque le paquet Python plotly (kaleido dessine les PDF avec lui), et qui sait
dessiner chaque type de trace de nos graphiques. Sans base de données."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
from django.conf import settings
from django.contrib.staticfiles import finders

import rapports.graphiques

PAQUET = "js/plotly-cartesian.min.js"


def _version(source: str) -> str:
    return re.search(r"plotly\.js(?: \([a-z -]+\))? v([0-9.]+)", source[:400]).group(1)


def _paquet_servi() -> str:
    chemin = finders.find(PAQUET)
    assert chemin, f"{PAQUET} introuvable parmi les fichiers statiques"
    return Path(chemin).read_text(encoding="utf-8")


def test_le_paquet_servi_est_celui_des_pdf_en_version_cartesian():
    servi = _paquet_servi()
    embarque = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(
        encoding="utf-8"
    )
    assert "plotly.js (cartesian - minified)" in servi[:200]
    assert _version(servi) == _version(embarque), (
        "plotly.js du navigateur et celui de kaleido diffèrent : "
        "lancer scripts/mettre_a_jour_plotly.sh"
    )
    assert (settings.BASE_DIR / "static/js/plotly-cartesian.LICENSE.txt").is_file()


def test_chaque_type_de_trace_de_nos_graphiques_est_dans_le_paquet():
    """Les types de trace écrits dans les graphiques (`rapports/graphique*.py` : « "type":
    "heatmap" »…) parmi ceux que connaît plotly, contre ceux que le paquet enregistre."""
    traces_de_plotly = {
        nom.lower() for nom in dir(go) if isinstance(getattr(go, nom), type) and nom[0].isupper()
    }
    source = "".join(
        chemin.read_text(encoding="utf-8")
        for chemin in Path(rapports.graphiques.__file__).parent.glob("graphique*.py")
    )
    utilises = set(re.findall(r'"type": "(\w+)"', source)) & traces_de_plotly
    enregistres = set(re.findall(r'moduleType:"trace",name:"(\w+)"', _paquet_servi()))
    assert {"scatter", "bar", "heatmap"} <= utilises  # le test lit bien le code
    assert utilises <= enregistres, utilises - enregistres


def test_la_figure_des_textes_ne_va_jamais_au_navigateur():
    """Un indicateur en texte : une figure sans trace, que le gabarit n'écrit pas."""
    from rapports.series import Point, SerieIndicateur
    from rapports.templatetags.graphiques_html import graphique

    serie = SerieIndicateur(
        code="politique", nom="Politique", unite="texte", polarite="hausse",
        points=[Point("2025-T1", "T1 2025", datetime.date(2025, 1, 1), None, "Adoptée")],
    )  # fmt: skip
    figure = rapports.graphiques.courbe_a_renverser(serie)
    assert figure["data"] == []
    assert "data-figure" not in graphique("fig-politique", "Politique", figure)
