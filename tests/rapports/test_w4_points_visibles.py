"""Une valeur isolée après un trimestre « n.d. » n'est qu'un point de la courbe à renverser : il
a une taille visible (8), à l'écran comme dans l'image du PDF. Avant : la taille par défaut de
plotly (6), un point de 1,5 mm dans le PDF."""

from __future__ import annotations

from django.utils import translation

from rapports.graphiques import COULEUR_VALEURS, courbe_a_renverser
from tests.rapports.test_graphiques_revue_ux import _serie


def test_les_points_des_valeurs_se_voient():
    with translation.override("fr"):
        figure = courbe_a_renverser(_serie("nombre", [None, "12", None, "14"]))
    (valeurs,) = [t for t in figure["data"] if t["name"] == "Valeurs"]
    assert valeurs["mode"] == "lines+markers"
    assert valeurs["y"] == [None, 12.0, None, 14.0]  # deux valeurs isolées : deux points seuls
    assert valeurs["marker"]["size"] >= 7
    assert valeurs["marker"]["color"] == COULEUR_VALEURS
