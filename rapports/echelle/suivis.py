"""Données d'échelle : les indicateurs suivis par chaque quartier, leurs séries et leurs cibles."""

from __future__ import annotations

from decimal import Decimal

from indicateurs.calculs import ActionLue, ParticipationLue, calculer
from indicateurs.models import Cible, Indicateur, IndicateurSuivi, Polarite, Unite
from indicateurs.periodes import bornes_du_trimestre, trimestre_de
from quartiers.demo_commun import SOURCE_FICTIVE
from quartiers.demo_saisies import PROGRESSION_CALCULEE
from rapports.echelle.outils import Contexte, Gabarit, QuartierEchelle, Serie, inserer

GABARITS = {
    Unite.NOMBRE: Gabarit((20, 600), 0.08, 0, 0, None, True),
    Unite.POURCENTAGE: Gabarit((10, 80), 0.05, 1, 0, 100, False),
    Unite.DOLLARS: Gabarit((5_000, 120_000), 0.10, -2, 0, None, True),
    Unite.ECHELLE: Gabarit((1.8, 3.4), 0.06, 1, 1, 5, False),
}
SAISONS = (0.85, 1.2, 0.9, 1.05)  # facteur saisonnier par trimestre de certaines séries


def serie_au_hasard(indicateur: Indicateur, qe: QuartierEchelle, ctx: Contexte) -> Serie:
    """La série d'un indicateur numérique dans un quartier. La pente visée garde la série dans
    ses bornes sur toute la durée; la pente réelle va de « en avance » à « à rebours »."""
    hasard = ctx.rng("serie", qe.rang, indicateur.code)
    gabarit = GABARITS[indicateur.unite]
    reference = hasard.uniform(*gabarit.reference) * (qe.taille if gabarit.proportionnelle else 1)
    sens = {Polarite.HAUSSE: 1, Polarite.BAISSE: -1}.get(indicateur.polarite, 0)
    limite = gabarit.haut if sens > 0 else gabarit.bas
    marge = abs(limite - reference) * 0.8 if limite is not None else reference
    pas = min(hasard.uniform(0.004, 0.015) * reference, marge / ctx.parametres.trimestres)
    realisation = hasard.choice((1.2, 1.0, 0.8, 0.5, -0.4))
    pente = sens * pas * realisation if sens else hasard.gauss(0, 0.002) * reference
    saisonniere = indicateur.unite == Unite.NOMBRE and hasard.random() < 0.25
    return Serie(
        reference=reference,
        pente=pente,
        pente_visee=sens * pas,
        bruit=gabarit.bruit * reference,
        gabarit=gabarit,
        saisons=SAISONS if saisonniere else None,
    )


def references_calculees(qe: QuartierEchelle, ctx: Contexte) -> dict[str, Decimal]:
    """Les indicateurs calculés au trimestre qui précède la première période, tirés du registre
    en mémoire par les mêmes formules que l'application (`indicateurs.calculs.calculer`)."""
    participations = [
        ParticipationLue(
            p.partenaire.pk, p.partenaire.secteur_id, p.partenaire.acteur_influence, p.debut, p.fin
        )
        for p in qe.participations
    ]
    actions = [ActionLue(a.type_action, a.debut, a.fin) for a, _, _ in qe.actions]
    fin = ctx.date_reference
    return calculer(participations, actions, bornes_du_trimestre(*trimestre_de(fin))[0], fin)


def cibles_calculees(reference: Decimal, calcul: str, rangs: list[int]) -> dict[int, Decimal]:
    """Une progression annuelle par indicateur calculé, plafonnée au besoin."""
    pas, decimales, plafond = PROGRESSION_CALCULEE.get(calcul, (0, 3, None))
    quantum = Decimal(1) if decimales <= 0 else Decimal(10) ** -decimales
    cibles = {}
    for rang in rangs:
        valeur = float(reference) + pas * (rang + 1) / 4
        valeur = min(valeur, plafond) if plafond else valeur
        cibles[rang] = Decimal(str(round(valeur, decimales))).quantize(quantum)
    return cibles


def suivis_du_quartier(
    qe: QuartierEchelle, ctx: Contexte, rangs: list[int]
) -> list[tuple[IndicateurSuivi, dict[int, Decimal]]]:
    """Les suivis (saisis, puis calculés) du quartier, chacun avec ses cibles par rang de
    période de fin d'année."""
    suivis = []
    date_reference = ctx.date_reference
    for indicateur in ctx.indicateurs:
        if indicateur.unite == Unite.TEXTE:
            suivis.append((IndicateurSuivi(indicateur=indicateur, quartier=qe.quartier), {}))
            continue
        serie = qe.series[indicateur.pk] = serie_au_hasard(indicateur, qe, ctx)
        suivi = IndicateurSuivi(
            indicateur=indicateur,
            quartier=qe.quartier,
            valeur_reference=serie.arrondir(serie.reference),
            date_reference=date_reference,
            source_reference=SOURCE_FICTIVE,
        )
        suivis.append((suivi, {rang: serie.cible(rang) for rang in rangs}))
    references = references_calculees(qe, ctx)
    for indicateur in ctx.calcules:
        reference = references.get(indicateur.calcul, Decimal(0))
        suivi = IndicateurSuivi(
            indicateur=indicateur,
            quartier=qe.quartier,
            valeur_reference=reference,
            date_reference=date_reference,
            source_reference=SOURCE_FICTIVE,
        )
        suivis.append((suivi, cibles_calculees(reference, indicateur.calcul, rangs)))
    return suivis


def creer_suivis(lots: list[QuartierEchelle], ctx: Contexte) -> None:
    """Chaque quartier suit tous les indicateurs d'échelle et les calculés; une cible par
    indicateur numérique suivi et par période de fin d'année."""
    rangs = [rang for rang, periode in enumerate(ctx.periodes) if periode.trimestre == 4]
    suivis = [paire for qe in lots for paire in suivis_du_quartier(qe, ctx, rangs)]
    inserer(ctx, IndicateurSuivi, (suivi for suivi, _ in suivis))
    inserer(
        ctx,
        Cible,
        (
            Cible(suivi=suivi, periode=ctx.periodes[rang], valeur=valeur)
            for suivi, cibles in suivis
            for rang, valeur in cibles.items()
        ),
    )
