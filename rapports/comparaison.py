"""Comparer deux bilans de même portée : ce qui a changé entre leurs instantanés (dernière
valeur et statut de chaque indicateur, constats « En bref »). Un quartier s'y reconnaît à son
slug : renommé entre les deux bilans, il reste un seul quartier, sous son nom le plus récent.
Un indicateur en texte se compare par son dernier texte, sans statut (`a_un_statut`).

La page parle la langue de la personne, quelle que soit celle des bilans : les constats sont
récrits dans cette langue (`en_bref`, périodes comprises) et chaque indicateur y garde son nom
dans cette langue (`noms_des_indicateurs`).

Chaque dernière valeur dit son trimestre (la dernière renseignée, pas forcément celle de la
période du bilan : « 84 100 (T3 2025) » quand le T4 2025 manque), et chaque ligne dit, en mots,
si l'indicateur va mieux, moins bien ou pareil du bilan le plus ancien au plus récent (par la
fin de leurs données, et non par leur date de production : `_ordre`), selon sa polarité (`Evolution`; « en hausse » ou « en baisse », sans jugement, pour un indicateur
neutre)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy

from indicateurs.models import Indicateur, Polarite
from rapports.en_bref import constats, dans_une_autre_langue
from rapports.statuts import a_un_statut, libelle_trimestre, libelles_des_statuts

if TYPE_CHECKING:
    from rapports.models import Bilan


class Evolution(models.TextChoices):
    """Du bilan le plus ancien au plus récent, la dernière valeur selon la polarité de
    l'indicateur; un indicateur neutre monte ou baisse, sans mieux ni moins bien. Le libellé
    porte une flèche et un mot : le sens ne tient pas à une couleur."""

    MIEUX = "mieux", gettext_lazy("▲ mieux")
    MOINS_BIEN = "moins_bien", gettext_lazy("▼ moins bien")
    INCHANGEE = "inchangee", gettext_lazy("= inchangée")
    HAUSSE = "hausse", gettext_lazy("↑ en hausse")
    BAISSE = "baisse", gettext_lazy("↓ en baisse")


@dataclass(frozen=True)
class Difference:
    """Une ligne de la comparaison. `valeur_*` : la dernière valeur chiffrée (texte décimal);
    `texte_*` : le dernier texte d'un indicateur en texte, qui n'a ni valeur ni statut;
    `periode_*` : le trimestre de cette dernière valeur (ou de ce dernier texte), dans la langue
    active; `evolution` : du bilan le plus ancien au plus récent (`Evolution`), None sans deux
    valeurs à comparer."""

    quartier: str
    code: str
    nom: str
    valeur_a: str | None
    valeur_b: str | None
    statut_a: str | None
    statut_b: str | None
    texte_a: str | None = None
    texte_b: str | None = None
    periode_a: str = ""
    periode_b: str = ""
    evolution: Evolution | None = None

    @property
    def a_change(self) -> bool:
        return (self.valeur_a, self.texte_a, self.statut_a) != (
            self.valeur_b,
            self.texte_b,
            self.statut_b,
        )

    @property
    def valeur_change(self) -> bool:
        """La dernière valeur (ou le dernier texte) n'est plus la même : c'est elle qu'on
        marque, et non le statut, qui peut rester le même."""
        return (self.valeur_a, self.texte_a) != (self.valeur_b, self.texte_b)

    @property
    def statut_change(self) -> bool:
        return self.statut_a != self.statut_b

    @property
    def en_texte(self) -> bool:
        """Un indicateur en texte des deux côtés (aucun statut, au moins un texte) : c'est son
        texte, et non son statut, qui dit qu'il a changé."""
        texte = self.texte_a is not None or self.texte_b is not None
        return texte and self.statut_a is None and self.statut_b is None


def _derniere(serie: dict, cle: str) -> tuple[str | None, str]:
    """La dernière valeur (`cle` = "valeur") ou le dernier texte (« texte ») renseigné, et son
    trimestre dans la langue active (vide s'il n'y en a pas)."""
    points = [p for p in serie["points"] if p.get(cle) not in (None, "")]
    if not points:
        return None, ""
    return points[-1][cle], libelle_trimestre(points[-1]["periode"])


class _Cote(NamedTuple):
    valeur: str | None = None
    statut: str | None = None
    texte: str | None = None
    periode: str = ""


def _cote(instantane: dict, serie: dict | None) -> _Cote:
    """Ce qu'un bilan dit d'une série : sa dernière valeur, son trimestre et son statut, ou,
    pour un indicateur en texte (d'après l'unité du catalogue de ce bilan), son dernier texte et
    son trimestre seulement."""
    if serie is None:
        return _Cote()
    unite = instantane["indicateurs"].get(serie["code"], {}).get("unite", "")
    if not a_un_statut(unite):
        texte, periode = _derniere(serie, "texte")
        return _Cote(texte=texte, periode=periode)
    valeur, periode = _derniere(serie, "valeur")
    return _Cote(valeur, libelles_des_statuts()[serie["statut"]], periode=periode)


def evolution(ancienne: str | None, recente: str | None, polarite: str) -> Evolution | None:
    """De la dernière valeur du bilan le plus ancien à celle du plus récent, selon la polarité
    (`Polarite`) : mieux, moins bien ou inchangée; en hausse ou en baisse pour un indicateur
    neutre. None s'il manque une valeur des deux (ou si l'une n'est pas un nombre)."""
    try:
        avant, apres = Decimal(ancienne), Decimal(recente)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if apres == avant:
        return Evolution.INCHANGEE
    if polarite == Polarite.HAUSSE:
        return Evolution.MIEUX if apres > avant else Evolution.MOINS_BIEN
    if polarite == Polarite.BAISSE:
        return Evolution.MIEUX if apres < avant else Evolution.MOINS_BIEN
    return Evolution.HAUSSE if apres > avant else Evolution.BAISSE


def _index(instantane: dict) -> dict[tuple[str, str], dict]:
    """Les séries par (slug du quartier, code) : le slug reste quand un quartier est renommé."""
    return {(q["slug"], s["code"]): s for q in instantane["quartiers"] for s in q["series"]}


def differences(
    a: dict, b: dict, *, a_plus_recent: bool = False, catalogue: dict[str, str] | None = None
) -> list[Difference]:
    """Une ligne par (quartier, indicateur) présent dans l'un ou l'autre bilan, triées par nom
    de quartier puis code. Un quartier se reconnaît à son slug, qui reste quand on le renomme;
    les noms affichés sont ceux du bilan le plus récent (B, ou A si `a_plus_recent`) quand il
    les contient — pour un indicateur, dans la langue active (`noms_des_indicateurs`, avec les
    noms du `catalogue` qui manquent aux bilans dans cette langue)."""
    ancien, recent = (b, a) if a_plus_recent else (a, b)
    quartiers = {q["slug"]: q["nom"] for i in (ancien, recent) for q in i["quartiers"]}
    noms = noms_des_indicateurs(ancien, recent, catalogue or {})
    series_a, series_b = _index(a), _index(b)
    cles = sorted(set(series_a) | set(series_b), key=lambda cle: (quartiers[cle[0]], *cle))
    polarites = {
        code: fiche.get("polarite", "")
        for instantane in (ancien, recent)
        for code, fiche in instantane["indicateurs"].items()
    }
    lignes = []
    for slug, code in cles:
        cote_a = _cote(a, series_a.get((slug, code)))
        cote_b = _cote(b, series_b.get((slug, code)))
        plus_ancien, plus_recent = (cote_b, cote_a) if a_plus_recent else (cote_a, cote_b)
        lignes.append(
            Difference(
                quartier=quartiers[slug],
                code=code,
                nom=noms[code],
                valeur_a=cote_a.valeur,
                valeur_b=cote_b.valeur,
                statut_a=cote_a.statut,
                statut_b=cote_b.statut,
                texte_a=cote_a.texte,
                texte_b=cote_b.texte,
                periode_a=cote_a.periode,
                periode_b=cote_b.periode,
                evolution=evolution(
                    plus_ancien.valeur, plus_recent.valeur, polarites.get(code, "")
                ),
            )
        )
    return lignes


def _dans_la_langue(*instantanes: dict) -> dict[str, str]:
    """Les noms d'indicateurs que donnent ceux des bilans écrits dans la langue active, le
    dernier nommé l'emportant."""
    return {
        code: indicateur["nom"]
        for instantane in instantanes
        if not dans_une_autre_langue(instantane)
        for code, indicateur in instantane["indicateurs"].items()
    }


def noms_des_indicateurs(ancien: dict, recent: dict, catalogue: dict[str, str]) -> dict[str, str]:
    """Le nom de chaque indicateur dans la langue active. Un instantané ne garde les noms que
    dans la langue de son bilan : d'abord celui d'un bilan dans la langue active (le plus
    récent), sinon celui du catalogue (`catalogue`, les noms actuels, lus par `comparer`), et
    à défaut celui d'un bilan dans l'autre langue (le plus récent)."""
    figes = {
        code: indicateur["nom"]
        for instantane in (ancien, recent)
        for code, indicateur in instantane["indicateurs"].items()
    }
    return figes | catalogue | _dans_la_langue(ancien, recent)


def _noms_du_catalogue(ancien: dict, recent: dict) -> dict[str, str]:
    """Les noms actuels, dans la langue active, des indicateurs qu'aucun des deux bilans ne
    nomme dans cette langue : une requête, et seulement s'il en manque (deux bilans dans la
    langue de la page n'en demandent aucune)."""
    codes = {*ancien["indicateurs"], *recent["indicateurs"]} - set(_dans_la_langue(ancien, recent))
    if not codes:
        return {}
    lus = Indicateur.objects.filter(code__in=codes).only("code", "nom_fr", "nom_en")
    return {indicateur.code: indicateur.nom for indicateur in lus}


def comparer(a: Bilan, b: Bilan) -> dict:
    """Ce que montre la page de comparaison de deux bilans prêts : les différences et les
    constats côte à côte. Le plus récent des deux est celui dont les données vont le plus loin
    (`_ordre`) : l'évolution va de l'autre à lui, et il donne les noms (quartier renommé)."""
    a_plus_recent = _ordre(a) > _ordre(b)
    ancien, recent = (b, a) if a_plus_recent else (a, b)
    catalogue = _noms_du_catalogue(ancien.instantane, recent.instantane)
    return {
        "differences": differences(
            a.instantane, b.instantane, a_plus_recent=a_plus_recent, catalogue=catalogue
        ),
        "constats": constats_cote_a_cote(a.instantane, b.instantane),
        # Le sens de la colonne « Évolution » : du bilan le plus ancien au plus récent.
        "a_plus_recent": a_plus_recent,
    }


def _ordre(bilan: Bilan) -> tuple:
    """La fin de la fenêtre des données du bilan (année, trimestre; un bilan annuel finit à son
    T4), puis, à fenêtre égale, le moment où il a été produit. Un bilan de l'année 2025 produit
    après celui du T2 2026 reste le plus ancien des deux."""
    return (bilan.annee, bilan.trimestre or 4, bilan.fin_generation or bilan.created_at, bilan.pk)


def constats_cote_a_cote(a: dict, b: dict) -> list[tuple[str, str | None, str | None]]:
    """(clé, texte dans A, texte dans B) pour chaque constat « En bref »."""
    textes_a = {c.cle: c.texte for c in constats(a)}
    textes_b = {c.cle: c.texte for c in constats(b)}
    cles = list(dict.fromkeys([*textes_a, *textes_b]))
    return [(cle, textes_a.get(cle), textes_b.get(cle)) for cle in cles]
