"""« En bref » écrit ses chiffres dans la langue du bilan (« 2,035 » en français, « 2.035 » en
anglais) et garde ceux de l'instantané tels quels; le bilan d'un quartier parle de sa table, au
singulier."""

from __future__ import annotations

from django.utils import translation

from rapports.en_bref import constats


def _mesures(libelle: str, partenaires: str, shannon: str, influence: str) -> dict:
    return {
        "libelle": libelle,
        "partenaires_actifs": partenaires,
        "secteurs_distincts": "8",
        "diversite_shannon": shannon,
        "actions_participation": "14.5",
        "acteurs_influence": influence,
    }


def instantane(portee: str = "quartier") -> dict:
    return {
        "format": 2,
        "portee": portee,
        "registre": {
            "depart": _mesures("T2 2016", "3", "0.474", "0"),
            "fin": _mesures("T2 2026", "1234", "2.035", "8"),
        },
        "indicateurs": {},
        "quartiers": [{"series": []}],
    }


def _constats(langue: str, portee: str = "quartier") -> dict:
    with translation.override(langue):
        return {c.cle: c for c in constats(instantane(portee))}


def test_en_francais_les_chiffres_ont_une_virgule_decimale():
    tous = _constats("fr")
    texte = tous["partenaires"].texte
    assert "indice de Shannon de 0,474 à 2,035" in texte
    assert "2.035" not in texte and "0.474" not in texte
    assert "à 1\xa0234 au cours de T2 2026" in texte  # séparateur de milliers du français
    assert "14,5 actives au cours de T2 2026" in tous["participation"].texte
    # Les chiffres gardés avec le constat sont ceux de l'instantané, exacts.
    assert tous["partenaires"].chiffres["fin"]["diversite_shannon"] == "2.035"
    assert tous["participation"].chiffres["apres"] == "14.5"


def test_en_anglais_les_chiffres_ont_un_point_decimal():
    tous = _constats("en")
    texte = tous["partenaires"].texte
    assert "Shannon index from 0.474 to 2.035" in texte
    assert "1,234 during T2 2026" in texte
    assert "14.5 active during T2 2026" in tous["participation"].texte


def test_le_bilan_d_un_quartier_parle_de_sa_table_au_singulier():
    texte = _constats("fr", "quartier")["influence"].texte
    assert "acteurs d'influence (bailleurs, chercheurs, décideurs) actifs à la table " in texte
    assert "aux tables" not in texte


def test_le_bilan_du_pic_parle_des_tables_au_pluriel():
    texte = _constats("fr", "pic")["influence"].texte
    assert "acteurs d'influence (bailleurs, chercheurs, décideurs) actifs aux tables " in texte
