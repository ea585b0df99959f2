"""Le bilan du PIC se partage entre les tranches au poids des figures que chacune dessine et
peint : un indicateur en texte n'a pas d'image dans le PDF (ses textes s'impriment en tableau
HTML, `graphiques.en_texte`), il ne pèse donc rien. Avant, chaque quartier pesait toutes ses
séries (`len(series)`) : un quartier riche en indicateurs en texte faisait paraître la première
tranche chargée et envoyait trop de quartiers à la seconde."""

from __future__ import annotations

from rapports import repartition
from rapports.rendu import figures_du_quartier


def serie(code: str) -> dict:
    return {"code": code, "reference": None, "points": [], "cibles": [], "reperes": []}


def instantane_de(*quartiers: tuple[int, int] | int) -> dict:
    """Un instantané dont chaque quartier a (chiffrés, en texte) indicateurs; un entier seul :
    autant d'indicateurs chiffrés, sans texte."""
    tailles = [q if isinstance(q, tuple) else (q, 0) for q in quartiers]
    plus_grand = {
        "nombre": max((chiffres for chiffres, _textes in tailles), default=0),
        "texte": max((textes for _chiffres, textes in tailles), default=0),
    }
    catalogue = {
        f"{unite}-{rang}": {"nom": f"{unite} {rang}", "unite": unite, "polarite": "hausse"}
        for unite, combien in plus_grand.items()
        for rang in range(combien)
    }
    return {
        "indicateurs": catalogue,
        "quartiers": [
            {
                "nom": f"Quartier {rang}",
                "slug": f"quartier-{rang}",
                "series": [serie(f"nombre-{k}") for k in range(chiffres)]
                + [serie(f"texte-{k}") for k in range(textes)],
            }
            for rang, (chiffres, textes) in enumerate(tailles)
        ],
    }


def test_un_indicateur_en_texte_ne_pese_rien():
    instantane = instantane_de((10, 0), (0, 25), (8, 4))
    assert repartition.poids_des_quartiers(instantane) == [10, 0, 8]


def test_le_poids_est_le_nombre_de_figures_que_le_pdf_imprime():
    """La même règle que `figures_du_quartier` (ce que dessine une tranche); une série en
    double ne compte qu'une fois, comme elle."""
    instantane = instantane_de((3, 2), (0, 1), (5, 5))
    instantane["quartiers"][0]["series"].append(serie("nombre-0"))
    catalogue = instantane["indicateurs"]
    assert repartition.poids_des_quartiers(instantane) == [
        len(figures_du_quartier(quartier, catalogue)) for quartier in instantane["quartiers"]
    ]


def test_les_tranches_restent_equilibrees_malgre_les_indicateurs_en_texte():
    """Un premier quartier de 60 indicateurs en texte, puis trois de 30 chiffrés : la base (50
    d'avance) prend le premier et un chiffré (50 + 30 = 80 figures contre 60), là où la règle
    d'avant la croyait déjà à 110 et lui laissait 50 contre 90."""
    instantane = instantane_de((0, 60), 30, 30, 30)
    assert repartition.AVANCE_PREMIERE_TRANCHE == 50
    assert repartition.groupes_de_quartiers(instantane, 2) == [[0, 1], [2, 3]]
