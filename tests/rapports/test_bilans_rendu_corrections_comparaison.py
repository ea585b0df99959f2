"""Comparer deux bilans après le renommage d'un quartier : un quartier se reconnaît à son slug
(chaque indicateur une seule fois, et non « seulement dans A » puis « seulement dans B »), sous
le nom du bilan produit le plus tard, quel que soit l'ordre de A et B."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rapports.comparaison import differences
from tests.rapports.test_bilans_rendu_corrections import CODES, coordination, produire, villeray

pytestmark = pytest.mark.django_db


__all__ = ["coordination", "villeray"]  # les fixtures, réutilisées telles quelles


@pytest.mark.parametrize("ancien_en_premier", [True, False])
def test_comparer_apres_renommage_du_quartier(client, coordination, villeray, ancien_en_premier):
    ancien = produire(coordination, villeray, trimestre=3)
    villeray.nom = "Villeray–Saint-Michel"
    villeray.save()
    recent = produire(coordination, villeray)
    a, b = (ancien, recent) if ancien_en_premier else (recent, ancien)
    client.force_login(coordination)
    reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk})
    assert reponse.status_code == 200
    differences = reponse.context["differences"]
    assert [(d.quartier, d.code) for d in differences] == [
        ("Villeray–Saint-Michel", code) for code in sorted(CODES)
    ]
    assert all(d.valeur_a is not None and d.valeur_b is not None for d in differences)
    assert ">Villeray<" not in reponse.content.decode()


def test_comparer_un_quartier_present_dans_un_seul_bilan():
    """Le bilan du PIC : un quartier absent d'un des deux garde ses lignes, sous son nom; le
    nom d'un quartier présent dans les deux est celui du bilan le plus récent."""

    def instantane(quartiers):
        return {
            "indicateurs": {"A": {"nom": "A"}},
            "quartiers": [
                {
                    "slug": slug,
                    "nom": nom,
                    "series": [{"code": "A", "statut": "atteint", "points": [], "cibles": []}],
                }
                for slug, nom in quartiers
            ],
        }

    a = instantane([("ahuntsic", "Ahuntsic"), ("villeray", "Villeray")])
    b = instantane([("villeray", "Villeray–Saint-Michel")])
    lignes = [
        (d.quartier, d.statut_a is not None, d.statut_b is not None) for d in differences(a, b)
    ]
    assert lignes == [("Ahuntsic", True, False), ("Villeray–Saint-Michel", True, True)]
    inverse = differences(b, a, a_plus_recent=True)
    assert [(d.quartier, d.statut_a is not None) for d in inverse] == [
        ("Ahuntsic", False),
        ("Villeray–Saint-Michel", True),
    ]
