"""Indicateurs calculés à partir du registre des partenaires et des actions.

Fonctions pures sur des listes déjà chargées (testables sans base, appelables pour une série
de périodes à partir d'une seule lecture), plus `indicateurs_calcules()` qui lit le registre
d'un quartier pour une période. Ils reflètent les constats du bilan fondateur : des partenaires
plus nombreux et plus diversifiés, plus d'acteurs d'influence, plus d'actions de participation
citoyenne.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from indicateurs.models import Action, Calcul, TypeAction
from quartiers.models import Participation, Quartier


@dataclass(frozen=True)
class ParticipationLue:
    partenaire_id: int
    secteur_id: int
    acteur_influence: bool
    debut: datetime.date
    fin: datetime.date | None


@dataclass(frozen=True)
class ActionLue:
    type_action: str
    debut: datetime.date
    fin: datetime.date | None


def _recoupe(debut, fin, periode_debut, periode_fin) -> bool:
    return debut <= periode_fin and (fin is None or fin >= periode_debut)


def debut_du_registre(
    participations: Iterable[ParticipationLue], actions: Iterable[ActionLue]
) -> datetime.date | None:
    """Le premier jour du registre : le plus ancien début de ses participations et de ses
    actions (les actions de participation citoyenne s'en tirent aussi); None s'il n'a ni l'une
    ni l'autre. Avant ce jour, le registre ne dit rien : « En bref » n'y cherche pas de fenêtre
    de départ (`rapports.instantane`) et les indicateurs calculés y sont inconnus, pas nuls
    (`couvert_par_le_registre`)."""
    return min((ligne.debut for ligne in (*participations, *actions)), default=None)


def couvert_par_le_registre(fin: datetime.date, debut_registre: datetime.date | None) -> bool:
    """Une période qui finit le `fin` est couverte par le registre commencé le `debut_registre`
    (`debut_du_registre`) si elle finit ce jour-là ou après; aucune ne l'est sans registre."""
    return debut_registre is not None and fin >= debut_registre


def indice_de_shannon(effectifs: Iterable[int]) -> Decimal:
    """H = −Σ pᵢ ln pᵢ, arrondi au millième; 0 pour zéro ou un seul groupe."""
    effectifs = [n for n in effectifs if n > 0]
    total = sum(effectifs)
    if total == 0:
        return Decimal("0.000")
    h = -sum((n / total) * math.log(n / total) for n in effectifs)
    return Decimal(str(round(abs(h), 3))).quantize(Decimal("0.001"))


def calculer(
    participations: Iterable[ParticipationLue],
    actions: Iterable[ActionLue],
    debut: datetime.date,
    fin: datetime.date,
) -> dict[str, Decimal]:
    """Les cinq indicateurs calculés pour la période [debut, fin]. Un partenaire compte une fois
    même s'il a plusieurs participations; un partenaire parti avant la période ne compte pas."""
    actifs: dict[int, ParticipationLue] = {}
    for p in participations:
        if _recoupe(p.debut, p.fin, debut, fin):
            actifs.setdefault(p.partenaire_id, p)
    secteurs = Counter(p.secteur_id for p in actifs.values())
    participation_citoyenne = sum(
        1
        for a in actions
        if a.type_action == TypeAction.PARTICIPATION_CITOYENNE
        and _recoupe(a.debut, a.fin, debut, fin)
    )
    return {
        Calcul.PARTENAIRES_ACTIFS: Decimal(len(actifs)),
        Calcul.SECTEURS_DISTINCTS: Decimal(len(secteurs)),
        Calcul.DIVERSITE_SHANNON: indice_de_shannon(secteurs.values()),
        Calcul.ACTEURS_INFLUENCE: Decimal(sum(1 for p in actifs.values() if p.acteur_influence)),
        Calcul.ACTIONS_PARTICIPATION: Decimal(participation_citoyenne),
    }


def lire_registre(quartier: Quartier) -> tuple[list[ParticipationLue], list[ActionLue]]:
    """Le registre d'un quartier en deux requêtes."""
    participations = [
        ParticipationLue(*ligne)
        for ligne in Participation.objects.filter(table__quartier=quartier).values_list(
            "partenaire_id",
            "partenaire__secteur_id",
            "partenaire__acteur_influence",
            "debut",
            "fin",
        )
    ]
    actions = [
        ActionLue(*ligne)
        for ligne in Action.objects.filter(quartier=quartier).values_list(
            "type_action", "debut", "fin"
        )
    ]
    return participations, actions


def indicateurs_calcules(
    quartier: Quartier, debut: datetime.date, fin: datetime.date
) -> dict[str, Decimal | None]:
    """Les indicateurs calculés d'un quartier pour une période, lus dans son registre;
    inconnus (None), et non nuls, pour une période qui finit avant le début du registre
    (`couvert_par_le_registre`), comme dans les séries des tableaux de bord et des bilans."""
    participations, actions = lire_registre(quartier)
    valeurs = calculer(participations, actions, debut, fin)
    if couvert_par_le_registre(fin, debut_du_registre(participations, actions)):
        return valeurs
    return dict.fromkeys(valeurs)
