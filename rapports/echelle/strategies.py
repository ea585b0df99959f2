"""Données d'échelle : la stratégie de changement de chaque quartier, ses changements visés,
leurs indicateurs et les liens de sa théorie du changement.
"""

from __future__ import annotations

import random

from indicateurs.models import (
    ChangementVise,
    Famille,
    Horizon,
    Indicateur,
    LienDeChangement,
    StatutStrategie,
    StrategieDeChangement,
)
from quartiers.demo_commun import PREFIXE_FR
from quartiers.demo_strategies import LIENS
from rapports.echelle.outils import Contexte, QuartierEchelle, inserer

# (code, libellé, horizon, famille) des changements visés de chaque stratégie.
CHANGEMENTS = (
    ("C1", "Une concertation élargie à de nouveaux secteurs", Horizon.COURT, Famille.PROCESSUS),
    (
        "C2",
        "Des résident·es associé·es aux décisions de la table",
        Horizon.COURT,
        Famille.PERSONNES,
    ),
    ("C3", "Des personnes mieux outillées et mieux rejointes", Horizon.MOYEN, Famille.PERSONNES),
    ("C4", "Des bailleurs et des décideur·es engagé·es", Horizon.MOYEN, Famille.SYSTEME),
    ("C5", "De meilleures conditions de vie des ménages", Horizon.LONG, Famille.CONDITIONS_DE_VIE),
    ("C6", "Des espaces publics plus sûrs et plus fréquentés", Horizon.LONG, Famille.SYSTEME),
)
CHANGEMENT_DU_CALCUL = {"actions_participation": "C2", "acteurs_influence": "C4"}


def changements_de(
    strategie: StrategieDeChangement, ctx: Contexte, hasard: random.Random
) -> list[ChangementVise]:
    return [
        ChangementVise(
            strategie=strategie,
            code=code,
            libelle=libelle,
            description=f"{PREFIXE_FR} Changement visé synthétique.",
            horizon=horizon,
            famille=famille,
            theme=hasard.choice([*ctx.themes, None]),
            ordre=ordre,
        )
        for ordre, (code, libelle, horizon, famille) in enumerate(CHANGEMENTS, start=1)
    ]


def indicateurs_du_changement(ordre: int, code: str, ctx: Contexte) -> list[Indicateur]:
    """Une tranche des indicateurs saisis par changement; les calculés vont au changement qui
    leur correspond (concertation, participation citoyenne, influence)."""
    saisis = ctx.indicateurs[ordre :: len(CHANGEMENTS)] or [
        ctx.indicateurs[ordre % len(ctx.indicateurs)]  # moins d'indicateurs que de changements
    ]
    calcules = [i for i in ctx.calcules if CHANGEMENT_DU_CALCUL.get(i.calcul, "C1") == code]
    return saisis + calcules


def creer_strategies(lots: list[QuartierEchelle], ctx: Contexte) -> None:
    """Une stratégie v1 en vigueur par quartier, ses six changements visés, leurs indicateurs
    et les liens (avec leurs hypothèses) de sa théorie du changement."""
    strategies = inserer(
        ctx,
        StrategieDeChangement,
        (
            StrategieDeChangement(
                quartier=qe.quartier,
                version=1,
                titre=f"Stratégie de changement — {qe.quartier.nom} (fictive)",
                vision=f"{PREFIXE_FR} Un quartier où résident·es et partenaires agissent ensemble.",
                statut=StatutStrategie.EN_VIGUEUR,
                adoptee_le=ctx.periodes[0].debut,
                donnees_fictives=True,
            )
            for qe in lots
        ),
    )
    hasard = ctx.rng("strategies")
    changements = [changements_de(s, ctx, hasard) for s in strategies]
    inserer(ctx, ChangementVise, (c for liste in changements for c in liste))
    for qe, liste in zip(lots, changements, strict=True):
        qe.changements = {c.code: c for c in liste}
    _lier_indicateurs(lots, ctx)
    inserer(
        ctx,
        LienDeChangement,
        (
            LienDeChangement(
                strategie=strategie, source=qe.changements[s], cible=qe.changements[c], hypothese=h
            )
            for qe, strategie in zip(lots, strategies, strict=True)
            for s, c, h in LIENS
        ),
    )


def _lier_indicateurs(lots: list[QuartierEchelle], ctx: Contexte) -> None:
    lien = ChangementVise.indicateurs.through
    tranches = {
        code: indicateurs_du_changement(ordre, code, ctx)
        for ordre, (code, *_) in enumerate(CHANGEMENTS)
    }
    inserer(
        ctx,
        lien,
        (
            lien(changementvise_id=changement.pk, indicateur_id=indicateur.pk)
            for qe in lots
            for code, changement in qe.changements.items()
            for indicateur in tranches[code]
        ),
        "changements visés × indicateurs",
    )
