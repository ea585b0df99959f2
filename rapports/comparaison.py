"""Comparer deux bilans de même portée : ce qui a changé entre leurs instantanés (dernière
valeur et statut de chaque indicateur, constats « En bref »)."""

from __future__ import annotations

from dataclasses import dataclass

from rapports.en_bref import constats
from rapports.statuts import libelles_des_statuts


@dataclass(frozen=True)
class Difference:
    quartier: str
    code: str
    nom: str
    valeur_a: str | None
    valeur_b: str | None
    statut_a: str | None
    statut_b: str | None

    @property
    def a_change(self) -> bool:
        return (self.valeur_a, self.statut_a) != (self.valeur_b, self.statut_b)


def _derniere(serie: dict) -> str | None:
    valeurs = [p["valeur"] for p in serie["points"] if p["valeur"] is not None]
    return valeurs[-1] if valeurs else None


def _index(instantane: dict) -> dict[tuple[str, str], dict]:
    return {(q["nom"], s["code"]): s for q in instantane["quartiers"] for s in q["series"]}


def differences(a: dict, b: dict) -> list[Difference]:
    """Une ligne par (quartier, indicateur) présent dans l'un ou l'autre bilan."""
    series_a, series_b = _index(a), _index(b)
    noms = {**a["indicateurs"], **b["indicateurs"]}
    lignes = []
    for quartier, code in sorted(set(series_a) | set(series_b)):
        sa, sb = series_a.get((quartier, code)), series_b.get((quartier, code))
        lignes.append(
            Difference(
                quartier=quartier,
                code=code,
                nom=noms[code]["nom"],
                valeur_a=_derniere(sa) if sa else None,
                valeur_b=_derniere(sb) if sb else None,
                statut_a=libelles_des_statuts()[sa["statut"]] if sa else None,
                statut_b=libelles_des_statuts()[sb["statut"]] if sb else None,
            )
        )
    return lignes


def constats_cote_a_cote(a: dict, b: dict) -> list[tuple[str, str | None, str | None]]:
    """(clé, texte dans A, texte dans B) pour chaque constat « En bref »."""
    textes_a = {c.cle: c.texte for c in constats(a)}
    textes_b = {c.cle: c.texte for c in constats(b)}
    cles = list(dict.fromkeys([*textes_a, *textes_b]))
    return [(cle, textes_a.get(cle), textes_b.get(cle)) for cle in cles]
