"""Données d'échelle : le registre de chaque table (partenaires, participations, actions)."""

from __future__ import annotations

import datetime
from collections import Counter

from indicateurs.models import Action, TypeAction
from quartiers.demo_commun import PREFIXE_FR
from quartiers.demo_registre import (
    ACTIONS_PARTICIPATION,
    AUTRES_ACTIONS,
    est_acteur_d_influence,
    fin_de_participation,
    libelle_du_partenaire,
    role_du_secteur,
)
from quartiers.models import Partenaire, Participation
from rapports.echelle.outils import (
    PREFIXE_NOM,
    Contexte,
    QuartierEchelle,
    debut_au_hasard,
    fin_au_hasard,
    inserer,
)

POIDS_SECTEURS = {
    "communautaire": 10,
    "sante-services-sociaux": 4,
    "education": 4,
    "municipal": 3,
    "philanthropie": 2,
    "recherche": 1,
    "prive": 2,
    "citoyen": 3,
}


def planifier_partenaires(qe: QuartierEchelle, ctx: Contexte) -> None:
    """De 20 à 60 partenaires de secteurs variés, arrivés au fil du temps, selon les règles de
    la démonstration (quartiers.demo_registre) : la direction de l'arrondissement est le premier
    partenaire municipal de la table, et le seul; les acteurs d'influence sont les bailleurs, la
    recherche et cette direction, sans tirage; environ un partenaire sur sept repart, acteur
    d'influence ou non (départ tiré pour ce partenaire seul)."""
    hasard = ctx.rng("registre", qe.rang)
    poids = [POIDS_SECTEURS.get(secteur.code, 1) for secteur in ctx.secteurs]
    usages: Counter[str] = Counter()
    for numero in range(1, hasard.randint(20, 60) + 1):
        secteur = hasard.choices(ctx.secteurs, poids)[0]
        libelle = libelle_du_partenaire(secteur.code, usages, hasard)
        usages[libelle] += 1
        partenaire = Partenaire(
            nom=f"{PREFIXE_NOM} {qe.rang:03d} — {libelle} n° {numero} (fictif)",
            secteur=secteur,
            acteur_influence=est_acteur_d_influence(secteur.code, libelle),
            donnees_fictives=True,
        )
        debut = debut_au_hasard(ctx, hasard)
        depart = ctx.rng("depart", qe.rang, numero)
        participation = Participation(
            partenaire=partenaire,
            table=qe.table,
            role=role_du_secteur(secteur.code, hasard),
            debut=debut,
            fin=fin_de_participation(debut, depart, ctx.aujourd_hui),
        )
        qe.participations.append(participation)


def creer_registre(lots: list[QuartierEchelle], ctx: Contexte) -> None:
    for qe in lots:
        planifier_partenaires(qe, ctx)
    participations = [p for qe in lots for p in qe.participations]
    inserer(ctx, Partenaire, (p.partenaire for p in participations))
    inserer(ctx, Participation, participations)


def _actifs_au(participations: list[Participation], jour: datetime.date) -> list[Participation]:
    actifs = [p for p in participations if p.debut <= jour and (p.fin is None or p.fin >= jour)]
    return actifs or participations


def planifier_actions(qe: QuartierEchelle, ctx: Contexte) -> None:
    """De 10 à 30 actions, une sur trois de participation citoyenne, chacune portée par un
    partenaire actif à son début et au service d'un ou deux changements visés."""
    hasard = ctx.rng("actions", qe.rang)
    for numero in range(1, hasard.randint(10, 30) + 1):
        if numero % 3 == 1:
            type_action = TypeAction.PARTICIPATION_CITOYENNE
            gabarit, codes = hasard.choice(ACTIONS_PARTICIPATION), ("C2",)
        else:
            type_action, gabarit, codes = hasard.choice(AUTRES_ACTIONS)
        debut = debut_au_hasard(ctx, hasard)
        actifs = _actifs_au(qe.participations, debut)
        impliques = [
            p.partenaire for p in hasard.sample(actifs, min(len(actifs), hasard.randint(2, 4)))
        ]
        action = Action(
            quartier=qe.quartier,
            titre=f"{gabarit} — {qe.quartier.nom} n° {numero} (fictif)",
            description=f"{PREFIXE_FR} Action synthétique pour les mesures de performance.",
            type_action=type_action,
            porteur=impliques[0],
            debut=debut,
            fin=fin_au_hasard(debut, ctx.aujourd_hui, hasard, 0.65),
        )
        qe.actions.append((action, impliques, codes))


def creer_actions(lots: list[QuartierEchelle], ctx: Contexte) -> None:
    """Les actions, puis leurs partenaires et leurs changements servis (tables de liaison)."""
    for qe in lots:
        planifier_actions(qe, ctx)
    inserer(ctx, Action, (action for qe in lots for action, _, _ in qe.actions))
    lien_partenaires = Action.partenaires.through
    lien_changements = Action.changements.through
    inserer(
        ctx,
        lien_partenaires,
        (
            lien_partenaires(action_id=action.pk, partenaire_id=partenaire.pk)
            for qe in lots
            for action, partenaires, _ in qe.actions
            for partenaire in partenaires
        ),
        "actions × partenaires",
    )
    inserer(
        ctx,
        lien_changements,
        (
            lien_changements(action_id=action.pk, changementvise_id=qe.changements[code].pk)
            for qe in lots
            for action, _, codes in qe.actions
            for code in codes
            if code in qe.changements
        ),
        "actions × changements visés",
    )
