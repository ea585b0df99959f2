"""Données d'échelle : les saisies trimestrielles, leurs valeurs et leur historique, puis les
apprentissages.
"""

from __future__ import annotations

import datetime

from django.db.models import F, OuterRef, Subquery

from indicateurs.historique import consigner
from indicateurs.models import (
    Apprentissage,
    CategorieApprentissage,
    EvenementSaisie,
    Indicateur,
    Periode,
    Saisie,
    StatutSaisie,
    TypeEvenement,
    Valeur,
)
from indicateurs.models.saisies import STATUTS_PUBLIES
from indicateurs.services import donnee_de, noter_les_valeurs_demandees
from quartiers.demo_apprentissages import TEXTES
from quartiers.demo_commun import PREFIXE_EN, PREFIXE_FR
from quartiers.demo_saisies import ETAPES_POLITIQUE, raison_non_disponible
from rapports.echelle.outils import Contexte, QuartierEchelle, inserer, moment

PART_NON_DISPONIBLE = 0.03
PART_COMMENTEE = 0.02
VERSION_DES_VALEURS = 2  # la saisie passe à la version 2 quand ses valeurs sont enregistrées
SUJETS = (
    "politique locale d'agriculture urbaine",
    "règlement sur la salubrité des logements",
    "plan local de déplacements",
    "politique d'accès aux locaux communautaires",
)
COMMENTAIRE = "Variation expliquée par un changement d'activité chez un partenaire (fictif)."


# --- Saisies, valeurs et historique -------------------------------------------------------------


def etat_de_saisie(periode: Periode, depuis_la_fin: int) -> dict[str, object]:
    """La dernière saisie est en brouillon, l'avant-dernière soumise, les autres validées."""
    if depuis_la_fin == 0:
        return {"statut": StatutSaisie.BROUILLON, "version": VERSION_DES_VALEURS}
    soumise_le = moment(periode.echeance - datetime.timedelta(days=5), 10)
    if depuis_la_fin == 1:
        return {"statut": StatutSaisie.SOUMISE, "version": 3, "soumise_le": soumise_le}
    return {
        "statut": StatutSaisie.VALIDEE,
        "version": 4,
        "soumise_le": soumise_le,
        "validee_le": moment(periode.echeance + datetime.timedelta(days=10), 14),
    }


def creer_saisies(lots: list[QuartierEchelle], ctx: Contexte) -> None:
    nombre = len(ctx.periodes)
    for qe in lots:
        qe.saisies = [
            Saisie(table=qe.table, periode=periode, **etat_de_saisie(periode, nombre - 1 - rang))
            for rang, periode in enumerate(ctx.periodes)
        ]
    inserer(ctx, Saisie, (saisie for qe in lots for saisie in qe.saisies))


def texte_d_etape(rang: int, decalage: int, sujet: str, trimestres: int) -> str:
    """L'étape d'une démarche suivie en texte, qui avance au fil des trimestres."""
    etape = ETAPES_POLITIQUE[
        min(
            len(ETAPES_POLITIQUE) - 1, (rang + decalage) * len(ETAPES_POLITIQUE) // (trimestres + 4)
        )
    ]
    return f"{etape} Objet : {sujet} (données fictives)."


def valeurs_de_la_serie(qe: QuartierEchelle, indicateur: Indicateur, ctx: Contexte) -> list[Valeur]:
    """Les valeurs d'un indicateur saisi du quartier, une par saisie; environ 3 % « non
    disponible », avec une raison qui tient à la source de l'indicateur (la règle de la
    démonstration, `demo_saisies.raison_non_disponible`), quelques-unes commentées. La raison se
    tire à part : les autres tirages de la série, et donc ses valeurs, n'en dépendent pas."""
    hasard = ctx.rng("valeurs", qe.rang, indicateur.code)
    serie = qe.series.get(indicateur.pk)
    decalage, sujet = hasard.randint(0, 3), hasard.choice(SUJETS)
    valeurs = []
    for rang, (saisie, periode) in enumerate(zip(qe.saisies, ctx.periodes, strict=True)):
        valeur = Valeur(saisie_id=saisie.pk, indicateur_id=indicateur.pk)
        if hasard.random() < PART_NON_DISPONIBLE:
            valeur.non_disponible = True
            raisons = ctx.rng("raison", qe.rang, indicateur.code, rang)
            valeur.raison_non_disponible = raison_non_disponible(indicateur, raisons)
        elif serie is None:
            valeur.valeur_texte = texte_d_etape(rang, decalage, sujet, len(ctx.periodes))
        else:
            valeur.valeur_numerique = serie.au_trimestre(rang, periode.trimestre, hasard)
            valeur.commentaire = COMMENTAIRE if hasard.random() < PART_COMMENTEE else ""
        valeurs.append(valeur)
    return valeurs


def evenement_de(valeur: Valeur) -> EvenementSaisie:
    """La ligne d'historique d'une valeur, rédigée comme celle d'une vraie saisie."""
    return EvenementSaisie(
        saisie_id=valeur.saisie_id,
        type_evenement=TypeEvenement.VALEUR,
        indicateur_id=valeur.indicateur_id,
        nouvelle=consigner(donnee_de(valeur)),
        version=VERSION_DES_VALEURS,
    )


def creer_valeurs(lots: list[QuartierEchelle], ctx: Contexte) -> None:
    """Les valeurs et leur historique, quartier par quartier pour borner la mémoire."""
    for qe in lots:
        valeurs = [v for i in ctx.indicateurs for v in valeurs_de_la_serie(qe, i, ctx)]
        inserer(ctx, Valeur, valeurs)
        inserer(ctx, EvenementSaisie, (evenement_de(valeur) for valeur in valeurs))


def noter_les_demandes(lots: list[QuartierEchelle]) -> None:
    """Marque les valeurs des saisies transmises (soumises ou validées) demandées ou non, par la
    fonction de la soumission (`services.noter_les_valeurs_demandees`) : comme si chaque table
    les avait soumises avec ses suivis d'aujourd'hui. Le brouillon reste sans marque, comme un
    vrai. Deux requêtes par quartier, quel que soit le nombre de trimestres."""
    for qe in lots:
        transmises = [s for s in qe.saisies if s.statut in STATUTS_PUBLIES]
        noter_les_valeurs_demandees(qe.table, transmises)


def dater_historique(lots: list[QuartierEchelle]) -> None:
    """Date les saisies remises et l'historique de leurs valeurs à leur soumission (deux
    requêtes), plutôt qu'au moment de la génération."""
    remises = Saisie.objects.filter(table__in=[qe.table for qe in lots], soumise_le__isnull=False)
    soumission = Saisie.objects.filter(pk=OuterRef("saisie_id")).values("soumise_le")[:1]
    EvenementSaisie.objects.filter(saisie__in=remises).update(created_at=Subquery(soumission))
    remises.update(created_at=F("soumise_le") - datetime.timedelta(days=20))


# --- Apprentissages -----------------------------------------------------------------------------


def apprentissages_du_quartier(qe: QuartierEchelle, ctx: Contexte) -> list[Apprentissage]:
    """De quatre à six apprentissages par année couverte, dans les quatre rubriques, rattachés
    parfois à un changement visé ou à un indicateur suivi."""
    hasard = ctx.rng("apprentissages", qe.rang)
    categories = CategorieApprentissage.values
    annees: dict[int, list[Periode]] = {}
    for periode in ctx.periodes:
        annees.setdefault(periode.annee, []).append(periode)
    apprentissages = []
    for periodes in annees.values():
        for rang in range(hasard.randint(4, 6)):
            categorie = categories[rang % len(categories)]
            _, texte_fr, texte_en, rattachement = hasard.choice(
                [t for t in TEXTES if t[0] == categorie]
            )
            indicateur = hasard.choice(ctx.indicateurs) if hasard.random() < 0.3 else None
            apprentissages.append(
                Apprentissage(
                    quartier=qe.quartier,
                    periode=hasard.choice(periodes),
                    categorie=categorie,
                    indicateur=indicateur,
                    changement=qe.changements.get(rattachement or ""),
                    texte_fr=f"{PREFIXE_FR} {texte_fr.format(quartier=qe.quartier.nom)}",
                    texte_en=f"{PREFIXE_EN} {texte_en.format(quartier=qe.quartier.nom)}",
                )
            )
    return apprentissages
