"""Le constat des statuts s'accorde à chaque nombre (« 1 est à surveiller », « 8 sont en bonne
voie »), en français comme en anglais."""

from __future__ import annotations

import pytest
from django.utils import translation

from rapports.en_bref import _indicateurs


def instantane(statuts: list[str], textes: int = 0) -> dict:
    series = [{"code": f"i{n}", "statut": s} for n, s in enumerate(statuts)]
    series += [{"code": f"t{n}", "statut": "sans_donnees"} for n in range(textes)]
    unites = {s["code"]: {"unite": "texte" if s["code"][0] == "t" else "nombre"} for s in series}
    return {"indicateurs": unites, "quartiers": [{"series": series}]}


TREIZE = ["atteint"] * 3 + ["en_bonne_voie"] * 8 + ["a_surveiller", "sans_donnees"]


@pytest.mark.parametrize(
    ("langue", "statuts", "textes", "attendu"),
    [
        (
            "fr",
            TREIZE,
            0,
            "Sur 13 indicateurs suivis, 3 ont atteint leur cible, 8 sont en bonne voie, "
            "1 est à surveiller et 1 n'a pas encore de données.",
        ),
        (
            "en",
            TREIZE,
            0,
            "Of 13 tracked indicators, 3 have reached their target, 8 are on track, "
            "1 needs watching and 1 does not have data yet.",
        ),
        (
            "fr",
            ["atteint"],
            2,
            # Les indicateurs en texte comptent dans le total : les parties font le total; une
            # partie qui compte zéro n'est pas dite.
            "Sur 3 indicateurs suivis, 1 a atteint sa cible et 2 indicateurs en texte n'ont pas "
            "de statut.",
        ),
        (
            "en",
            ["atteint"],
            1,
            "Of 2 tracked indicators, 1 has reached its target and 1 text indicator has no status.",
        ),
    ],
)
def test_chaque_partie_s_accorde_a_son_nombre(langue, statuts, textes, attendu):
    with translation.override(langue):
        constat = _indicateurs(instantane(statuts, textes))
    assert constat.texte == attendu
    assert constat.chiffres["total"] == len(statuts) + textes
