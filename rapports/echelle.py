"""Données synthétiques « à l'échelle » pour le banc d'essai des performances.

`generer_donnees_echelle()` crée, en une seule transaction et par insertions en lot, N quartiers
fictifs (« Échelle 001 »…), M indicateurs saisis (« echelle-ind-001 »…) et T trimestres
consécutifs qui finissent au trimestre en cours. Pour chaque quartier : sa table, son registre
de partenaires et d'actions, sa stratégie de changement (v1 en vigueur), le suivi des M
indicateurs saisis et des indicateurs calculés du catalogue avec leurs cibles de fin d'année,
une saisie par trimestre et une valeur par indicateur saisi et par saisie (≈ N × M × T), chacune
avec sa ligne d'historique, et des apprentissages dans les quatre rubriques du bilan.

Tout est fictif et marqué comme tel (noms préfixés « Échelle », `donnees_fictives`). Les
données ne dépendent que de la graine, des tailles et du jour : deux exécutions identiques
donnent les mêmes valeurs. Sans `remplacer`, une seconde exécution est refusée sans rien écrire;
avec lui, les données d'échelle existantes sont d'abord effacées.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone, translation

from indicateurs.calculs import ActionLue, ParticipationLue, calculer
from indicateurs.models import (
    Action,
    Agregation,
    Apprentissage,
    CategorieApprentissage,
    ChangementVise,
    Cible,
    EvenementSaisie,
    Famille,
    Horizon,
    Indicateur,
    IndicateurSuivi,
    LienDeChangement,
    ModeCollecte,
    Periode,
    Polarite,
    Saisie,
    StatutSaisie,
    StatutStrategie,
    StrategieDeChangement,
    Theme,
    TypeAction,
    TypeEvenement,
    Unite,
    Valeur,
)
from indicateurs.periodes import (
    bornes_du_trimestre,
    statut_selon_calendrier,
    trimestre_de,
    trimestre_precedent,
)
from indicateurs.services import decrire, donnee_de
from quartiers.demo_apprentissages import TEXTES
from quartiers.demo_commun import PREFIXE_EN, PREFIXE_FR, SOURCE_FICTIVE
from quartiers.demo_registre import (
    ACTIONS_PARTICIPATION,
    AUTRES_ACTIONS,
    LIBELLES,
    role_du_secteur,
)
from quartiers.demo_saisies import ETAPES_POLITIQUE, PROGRESSION_CALCULEE, RAISONS_NON_DISPONIBLE
from quartiers.demo_strategies import LIENS
from quartiers.models import (
    NiveauSoutien,
    Partenaire,
    Participation,
    Quartier,
    Secteur,
    TableDeQuartier,
)
from quartiers.referentiel import charger_referentiel

PREFIXE_SLUG = "echelle-"
PREFIXE_CODE = "echelle-ind-"
PREFIXE_NOM = "Échelle"
GRAINE_PAR_DEFAUT = 2026
TAILLE_LOT = 5000
PART_NON_DISPONIBLE = 0.03
PART_COMMENTEE = 0.02
VERSION_DES_VALEURS = 2  # la saisie passe à la version 2 quand ses valeurs sont enregistrées
NIVEAUX = (NiveauSoutien.INTENSIF, NiveauSoutien.MODERE)
ARRONDISSEMENTS = ("Arrondissement fictif Nord", "Arrondissement fictif Centre", "Ville fictive")
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
UNITES_NUMERIQUES = (
    Unite.NOMBRE,
    Unite.NOMBRE,
    Unite.NOMBRE,
    Unite.POURCENTAGE,
    Unite.POURCENTAGE,
    Unite.DOLLARS,
    Unite.ECHELLE,
)
NOMS_UNITES = {
    Unite.NOMBRE: ("nombre", "count"),
    Unite.POURCENTAGE: ("pourcentage", "percentage"),
    Unite.DOLLARS: ("dollars", "dollars"),
    Unite.ECHELLE: ("échelle de 1 à 5", "1-5 scale"),
    Unite.TEXTE: ("texte", "text"),
}
AGREGATIONS = {
    Unite.NOMBRE: (Agregation.SOMME, Agregation.CUMUL, Agregation.DERNIERE),
    Unite.POURCENTAGE: (Agregation.MOYENNE, Agregation.DERNIERE),
    Unite.DOLLARS: (Agregation.SOMME, Agregation.CUMUL),
    Unite.ECHELLE: (Agregation.MOYENNE, Agregation.DERNIERE),
    Unite.TEXTE: (Agregation.DERNIERE,),
}
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
SAISONS = (0.85, 1.2, 0.9, 1.05)  # facteur saisonnier par trimestre de certaines séries
SUJETS = (
    "politique locale d'agriculture urbaine",
    "règlement sur la salubrité des logements",
    "plan local de déplacements",
    "politique d'accès aux locaux communautaires",
)
COMMENTAIRE = "Variation expliquée par un changement d'activité chez un partenaire (fictif)."


class GenerationImpossible(Exception):
    """La génération est refusée; rien n'a été écrit."""


class DonneesEchelleExistantes(GenerationImpossible):
    """Des données d'échelle existent déjà et leur remplacement n'est pas demandé."""


@dataclass(frozen=True)
class Parametres:
    """Les tailles demandées et la graine des tirages."""

    quartiers: int
    indicateurs: int
    trimestres: int
    graine: int = GRAINE_PAR_DEFAUT

    def __post_init__(self) -> None:
        for nom in ("quartiers", "indicateurs", "trimestres"):
            if getattr(self, nom) < 1:
                raise ValueError(f"Le nombre de {nom} doit être au moins 1.")


@dataclass(frozen=True)
class Gabarit:
    """L'allure des séries d'une unité : référence, bruit (en part de la référence), arrondi,
    bornes, et proportionnalité à la taille du quartier."""

    reference: tuple[float, float]
    bruit: float
    decimales: int
    bas: float
    haut: float | None
    proportionnelle: bool


GABARITS = {
    Unite.NOMBRE: Gabarit((20, 600), 0.08, 0, 0, None, True),
    Unite.POURCENTAGE: Gabarit((10, 80), 0.05, 1, 0, 100, False),
    Unite.DOLLARS: Gabarit((5_000, 120_000), 0.10, -2, 0, None, True),
    Unite.ECHELLE: Gabarit((1.8, 3.4), 0.06, 1, 1, 5, False),
}


@dataclass(frozen=True)
class Serie:
    """Une série saisie (quartier × indicateur) : une tendance par trimestre, du bruit, et la
    pente visée qui fixe les cibles. Une série sur quatre ne « tourne pas la courbe »."""

    reference: float
    pente: float
    pente_visee: float
    bruit: float
    gabarit: Gabarit
    saisons: tuple[float, ...] | None = None

    def arrondir(self, valeur: float) -> Decimal:
        """La valeur bornée selon l'unité, arrondie à sa précision."""
        haut = self.gabarit.haut
        valeur = max(self.gabarit.bas, valeur if haut is None else min(haut, valeur))
        decimales = self.gabarit.decimales
        pas = Decimal(1) if decimales <= 0 else Decimal(10) ** -decimales
        return Decimal(str(round(valeur, decimales))).quantize(pas)

    def au_trimestre(self, rang: int, trimestre: int, rng: random.Random) -> Decimal:
        """La valeur du `rang`-ième trimestre (0 = le premier) : tendance, saison, bruit."""
        tendance = self.reference + self.pente * (rang + 1)
        saison = self.saisons[trimestre - 1] if self.saisons else 1.0
        return self.arrondir(tendance * saison + rng.gauss(0, self.bruit))

    def cible(self, rang: int) -> Decimal:
        return self.arrondir(self.reference + self.pente_visee * (rang + 1))


@dataclass
class QuartierEchelle:
    """Un quartier généré et ce que les étapes suivantes en réutilisent, gardé en mémoire."""

    rang: int
    quartier: Quartier
    table: TableDeQuartier
    taille: float
    participations: list[Participation] = field(default_factory=list)
    actions: list[tuple[Action, list[Partenaire], tuple[str, ...]]] = field(default_factory=list)
    changements: dict[str, ChangementVise] = field(default_factory=dict)
    series: dict[int, Serie] = field(default_factory=dict)
    saisies: list[Saisie] = field(default_factory=list)


@dataclass
class Contexte:
    """Le référentiel lu une fois, les périodes, les indicateurs créés et les effectifs."""

    parametres: Parametres
    aujourd_hui: datetime.date
    periodes: list[Periode]
    secteurs: list[Secteur]
    themes: list[Theme]
    calcules: list[Indicateur]
    indicateurs: list[Indicateur] = field(default_factory=list)
    effectifs: Counter[str] = field(default_factory=Counter)

    @property
    def date_reference(self) -> datetime.date:
        """La date des valeurs de référence : la veille de la première période."""
        return self.periodes[0].debut - datetime.timedelta(days=1)

    def rng(self, *etiquettes: object) -> random.Random:
        """Un générateur déterministe propre à une étiquette (une chaîne : graine stable)."""
        return random.Random(
            ":".join(str(e) for e in ("echelle", self.parametres.graine, *etiquettes))
        )


@dataclass
class Rapport:
    """Ce que la génération a fait : lignes créées par modèle, lignes effacées avant."""

    effectifs: Counter[str]
    supprimees: int = 0
    referentiel_charge: bool = False


# --- Outils -------------------------------------------------------------------------------------


def inserer(
    ctx: Contexte, modele: type[models.Model], objets: Iterable, libelle: str | None = None
) -> list:
    """Insère en lots et compte les lignes créées sous le nom du modèle (ou `libelle`)."""
    crees = modele.objects.bulk_create(list(objets), batch_size=TAILLE_LOT)
    ctx.effectifs[libelle or str(modele._meta.verbose_name_plural)] += len(crees)
    return crees


def date_au_hasard(rng: random.Random, debut: datetime.date, fin: datetime.date) -> datetime.date:
    return debut + datetime.timedelta(days=rng.randint(0, max(0, (fin - debut).days)))


def debut_au_hasard(ctx: Contexte, rng: random.Random) -> datetime.date:
    """Un début d'engagement : un tiers avant la première période (la référence n'est pas nulle),
    les autres au fil des trimestres générés."""
    premiere, derniere = ctx.periodes[0].debut, ctx.periodes[-1].debut
    if rng.random() < 0.35:
        veille = premiere - datetime.timedelta(days=1)
        return date_au_hasard(rng, premiere - datetime.timedelta(days=730), veille)
    return date_au_hasard(rng, premiere, min(derniere, ctx.aujourd_hui))


def fin_au_hasard(
    debut: datetime.date, aujourd_hui: datetime.date, rng: random.Random, part: float
) -> datetime.date | None:
    """Une fin un à cinq ans après le début pour une part des engagements, si elle est passée."""
    fin = debut + datetime.timedelta(days=rng.randint(365, 1825))
    return fin if rng.random() < part and fin < aujourd_hui else None


def moment(jour: datetime.date, heure: int) -> datetime.datetime:
    """Un instant du jour donné, jamais dans le futur."""
    instant = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))
    return min(instant, timezone.now())


# --- Présence, effacement, référentiel, périodes ------------------------------------------------


def _partenaires_echelle() -> models.QuerySet:
    return Partenaire.objects.filter(nom__startswith=f"{PREFIXE_NOM} ", donnees_fictives=True)


def donnees_echelle_presentes() -> bool:
    """Vrai si un quartier, un indicateur ou un partenaire d'échelle existe déjà."""
    return (
        Quartier.objects.filter(slug__startswith=PREFIXE_SLUG).exists()
        or Indicateur.objects.filter(code__startswith=PREFIXE_CODE).exists()
        or _partenaires_echelle().exists()
    )


def supprimer_donnees_echelle() -> int:
    """Efface les quartiers d'échelle (et, en cascade, tout ce qui en dépend), leurs partenaires
    et leurs indicateurs. Les périodes, partagées, restent. Renvoie le nombre de lignes."""
    try:
        quartiers, _ = Quartier.objects.filter(slug__startswith=PREFIXE_SLUG).delete()
        partenaires, _ = _partenaires_echelle().delete()
        indicateurs, _ = Indicateur.objects.filter(code__startswith=PREFIXE_CODE).delete()
    except models.ProtectedError as erreur:
        raise GenerationImpossible(
            "Des données d'échelle sont encore référencées ailleurs; rien n'a été effacé."
        ) from erreur
    return quartiers + partenaires + indicateurs


def assurer_referentiel() -> bool:
    """Réutilise le référentiel s'il est chargé (secteurs, thèmes, indicateurs calculés); sinon
    le charge. Renvoie vrai s'il a fallu le charger."""
    calcules = Indicateur.objects.filter(mode=ModeCollecte.CALCULE)
    if Secteur.objects.exists() and Theme.objects.exists() and calcules.exists():
        return False
    charger_referentiel()
    return True


def trimestres_jusqu_a(aujourd_hui: datetime.date, nombre: int) -> list[tuple[int, int]]:
    """Les `nombre` trimestres consécutifs qui finissent au trimestre de `aujourd_hui`."""
    trimestres = [trimestre_de(aujourd_hui)]
    while len(trimestres) < nombre:
        trimestres.append(trimestre_precedent(*trimestres[-1]))
    return trimestres[::-1]


def creer_periodes(
    effectifs: Counter[str], aujourd_hui: datetime.date, nombre: int
) -> list[Periode]:
    """Retrouve ou crée chaque période, avec le statut que lui donne le calendrier de saisie."""
    periodes = []
    for annee, trimestre in trimestres_jusqu_a(aujourd_hui, nombre):
        debut, fin = bornes_du_trimestre(annee, trimestre)
        echeance = fin + datetime.timedelta(days=settings.EVALPIC_ECHEANCE_JOURS_APRES_FIN)
        statut = statut_selon_calendrier(fin=fin, echeance=echeance, aujourd_hui=aujourd_hui)
        periode, creee = Periode.objects.get_or_create(
            annee=annee,
            trimestre=trimestre,
            defaults={"debut": debut, "fin": fin, "echeance": echeance, "statut": statut},
        )
        effectifs[str(Periode._meta.verbose_name_plural)] += int(creee)
        periodes.append(periode)
    return periodes


# --- Catalogue et quartiers ---------------------------------------------------------------------


def unite_du_rang(rang: int, rng: random.Random) -> str:
    """Un indicateur sur vingt est en texte (le 3e, le 23e…); les autres, numériques variés."""
    return Unite.TEXTE if rang % 20 == 3 else rng.choice(UNITES_NUMERIQUES)


def polarite_au_hasard(unite: str, rng: random.Random) -> str:
    if unite == Unite.TEXTE:
        return Polarite.NEUTRE
    tirage = rng.random()
    return (
        Polarite.HAUSSE if tirage < 0.65 else Polarite.BAISSE if tirage < 0.9 else Polarite.NEUTRE
    )


def indicateur_echelle(rang: int, ctx: Contexte, rng: random.Random) -> Indicateur:
    """Un indicateur saisi synthétique : unité, polarité, famille et thème variés."""
    unite = unite_du_rang(rang, rng)
    famille = Famille.values[rang % len(Famille.values)]
    nom_fr, nom_en = NOMS_UNITES[unite]
    return Indicateur(
        code=f"{PREFIXE_CODE}{rang:03d}",
        nom_fr=f"{PREFIXE_NOM} — indicateur {rang:03d} ({nom_fr})",
        nom_en=f"Scale — indicator {rang:03d} ({nom_en})",
        definition_fr=f"{PREFIXE_FR} Indicateur synthétique pour les mesures de performance.",
        definition_en=f"{PREFIXE_EN} Synthetic indicator for performance measurements.",
        famille=famille,
        theme=rng.choice([*ctx.themes, None]),
        unite=unite,
        polarite=polarite_au_hasard(unite, rng),
        agregation=rng.choice(AGREGATIONS[unite]),
        source=SOURCE_FICTIVE,
        mode=ModeCollecte.SAISI,
    )


def creer_indicateurs(ctx: Contexte) -> None:
    rng = ctx.rng("indicateurs")
    nombre = ctx.parametres.indicateurs
    objets = [indicateur_echelle(rang, ctx, rng) for rang in range(1, nombre + 1)]
    ctx.indicateurs = inserer(ctx, Indicateur, objets)


def creer_quartiers(ctx: Contexte) -> list[QuartierEchelle]:
    """Les quartiers « Échelle 001 »… et leur table, niveaux de soutien en alternance."""
    rng = ctx.rng("quartiers")
    quartiers = [
        Quartier(
            slug=f"{PREFIXE_SLUG}{rang:03d}",
            nom=f"{PREFIXE_NOM} {rang:03d}",
            niveau_soutien=NIVEAUX[rang % len(NIVEAUX)],
            arrondissement=ARRONDISSEMENTS[rang % len(ARRONDISSEMENTS)],
            description=f"{PREFIXE_FR} Quartier synthétique pour les mesures de performance.",
        )
        for rang in range(1, ctx.parametres.quartiers + 1)
    ]
    inserer(ctx, Quartier, quartiers)
    tables = inserer(
        ctx,
        TableDeQuartier,
        (
            TableDeQuartier(quartier=q, nom=f"Table de quartier {q.nom} (fictive)")
            for q in quartiers
        ),
    )
    return [
        QuartierEchelle(rang, q, t, taille=round(rng.uniform(0.5, 2.5), 2))
        for rang, (q, t) in enumerate(zip(quartiers, tables, strict=True), start=1)
    ]


# --- Registre : partenaires, participations, actions --------------------------------------------


def planifier_partenaires(qe: QuartierEchelle, ctx: Contexte) -> None:
    """De 20 à 60 partenaires de secteurs variés, arrivés au fil du temps; environ un sur sept
    repart; les bailleurs et les chercheur·es (et la moitié du municipal) sont des acteurs
    d'influence."""
    rng = ctx.rng("registre", qe.rang)
    poids = [POIDS_SECTEURS.get(secteur.code, 1) for secteur in ctx.secteurs]
    for numero in range(1, rng.randint(20, 60) + 1):
        secteur = rng.choices(ctx.secteurs, poids)[0]
        influence = secteur.code in ("philanthropie", "recherche") or (
            secteur.code == "municipal" and rng.random() < 0.5
        )
        libelle = rng.choice(LIBELLES.get(secteur.code, ("Organisme",)))
        partenaire = Partenaire(
            nom=f"{PREFIXE_NOM} {qe.rang:03d} — {libelle} n° {numero} (fictif)",
            secteur=secteur,
            acteur_influence=influence,
            donnees_fictives=True,
        )
        debut = debut_au_hasard(ctx, rng)
        participation = Participation(
            partenaire=partenaire,
            table=qe.table,
            role=role_du_secteur(secteur.code, rng),
            debut=debut,
            fin=None if influence else fin_au_hasard(debut, ctx.aujourd_hui, rng, 0.15),
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
    rng = ctx.rng("actions", qe.rang)
    for numero in range(1, rng.randint(10, 30) + 1):
        if numero % 3 == 1:
            type_action = TypeAction.PARTICIPATION_CITOYENNE
            gabarit, codes = rng.choice(ACTIONS_PARTICIPATION), ("C2",)
        else:
            type_action, gabarit, codes = rng.choice(AUTRES_ACTIONS)
        debut = debut_au_hasard(ctx, rng)
        actifs = _actifs_au(qe.participations, debut)
        impliques = [p.partenaire for p in rng.sample(actifs, min(len(actifs), rng.randint(2, 4)))]
        action = Action(
            quartier=qe.quartier,
            titre=f"{gabarit} — {qe.quartier.nom} n° {numero} (fictif)",
            description=f"{PREFIXE_FR} Action synthétique pour les mesures de performance.",
            type_action=type_action,
            porteur=impliques[0],
            debut=debut,
            fin=fin_au_hasard(debut, ctx.aujourd_hui, rng, 0.65),
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


# --- Stratégies de changement -------------------------------------------------------------------


def changements_de(
    strategie: StrategieDeChangement, ctx: Contexte, rng: random.Random
) -> list[ChangementVise]:
    return [
        ChangementVise(
            strategie=strategie,
            code=code,
            libelle=libelle,
            description=f"{PREFIXE_FR} Changement visé synthétique.",
            horizon=horizon,
            famille=famille,
            theme=rng.choice([*ctx.themes, None]),
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
    rng = ctx.rng("strategies")
    changements = [changements_de(s, ctx, rng) for s in strategies]
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


# --- Suivis et cibles ---------------------------------------------------------------------------


def serie_au_hasard(indicateur: Indicateur, qe: QuartierEchelle, ctx: Contexte) -> Serie:
    """La série d'un indicateur numérique dans un quartier. La pente visée garde la série dans
    ses bornes sur toute la durée; la pente réelle va de « en avance » à « à rebours »."""
    rng = ctx.rng("serie", qe.rang, indicateur.code)
    gabarit = GABARITS[indicateur.unite]
    reference = rng.uniform(*gabarit.reference) * (qe.taille if gabarit.proportionnelle else 1)
    sens = {Polarite.HAUSSE: 1, Polarite.BAISSE: -1}.get(indicateur.polarite, 0)
    limite = gabarit.haut if sens > 0 else gabarit.bas
    marge = abs(limite - reference) * 0.8 if limite is not None else reference
    pas = min(rng.uniform(0.004, 0.015) * reference, marge / ctx.parametres.trimestres)
    realisation = rng.choice((1.2, 1.0, 0.8, 0.5, -0.4))
    pente = sens * pas * realisation if sens else rng.gauss(0, 0.002) * reference
    saisonniere = indicateur.unite == Unite.NOMBRE and rng.random() < 0.25
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
    disponible » avec une raison, quelques-unes commentées."""
    rng = ctx.rng("valeurs", qe.rang, indicateur.code)
    serie = qe.series.get(indicateur.pk)
    decalage, sujet = rng.randint(0, 3), rng.choice(SUJETS)
    valeurs = []
    for rang, (saisie, periode) in enumerate(zip(qe.saisies, ctx.periodes, strict=True)):
        valeur = Valeur(saisie_id=saisie.pk, indicateur_id=indicateur.pk)
        if rng.random() < PART_NON_DISPONIBLE:
            valeur.non_disponible = True
            valeur.raison_non_disponible = rng.choice(RAISONS_NON_DISPONIBLE)
        elif serie is None:
            valeur.valeur_texte = texte_d_etape(rang, decalage, sujet, len(ctx.periodes))
        else:
            valeur.valeur_numerique = serie.au_trimestre(rang, periode.trimestre, rng)
            valeur.commentaire = COMMENTAIRE if rng.random() < PART_COMMENTEE else ""
        valeurs.append(valeur)
    return valeurs


def evenement_de(valeur: Valeur) -> EvenementSaisie:
    """La ligne d'historique d'une valeur, rédigée comme celle d'une vraie saisie."""
    return EvenementSaisie(
        saisie_id=valeur.saisie_id,
        type_evenement=TypeEvenement.VALEUR,
        indicateur_id=valeur.indicateur_id,
        nouvelle=decrire(donnee_de(valeur)),
        version=VERSION_DES_VALEURS,
    )


def creer_valeurs(lots: list[QuartierEchelle], ctx: Contexte) -> None:
    """Les valeurs et leur historique, quartier par quartier pour borner la mémoire."""
    for qe in lots:
        valeurs = [v for i in ctx.indicateurs for v in valeurs_de_la_serie(qe, i, ctx)]
        inserer(ctx, Valeur, valeurs)
        inserer(ctx, EvenementSaisie, (evenement_de(valeur) for valeur in valeurs))


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
    rng = ctx.rng("apprentissages", qe.rang)
    categories = CategorieApprentissage.values
    annees: dict[int, list[Periode]] = {}
    for periode in ctx.periodes:
        annees.setdefault(periode.annee, []).append(periode)
    apprentissages = []
    for periodes in annees.values():
        for rang in range(rng.randint(4, 6)):
            categorie = categories[rang % len(categories)]
            _, texte_fr, texte_en, rattachement = rng.choice(
                [t for t in TEXTES if t[0] == categorie]
            )
            indicateur = rng.choice(ctx.indicateurs) if rng.random() < 0.3 else None
            apprentissages.append(
                Apprentissage(
                    quartier=qe.quartier,
                    periode=rng.choice(periodes),
                    categorie=categorie,
                    indicateur=indicateur,
                    changement=qe.changements.get(rattachement or ""),
                    texte_fr=f"{PREFIXE_FR} {texte_fr.format(quartier=qe.quartier.nom)}",
                    texte_en=f"{PREFIXE_EN} {texte_en.format(quartier=qe.quartier.nom)}",
                )
            )
    return apprentissages


# --- Ensemble -----------------------------------------------------------------------------------

MODELES_ANALYSES = (
    Quartier,
    Partenaire,
    Participation,
    Action,
    ChangementVise,
    IndicateurSuivi,
    Cible,
    Saisie,
    Valeur,
    EvenementSaisie,
    Apprentissage,
)


def analyser_tables() -> None:
    """Met à jour les statistiques du planificateur de PostgreSQL après un gros chargement,
    pour que le banc d'essai qui suit ne mesure pas de mauvais plans (sans effet ailleurs)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in MODELES_ANALYSES)
    with connection.cursor() as curseur:
        curseur.execute(f"ANALYZE {tables}")


def contexte(parametres: Parametres, aujourd_hui: datetime.date, effectifs: Counter) -> Contexte:
    """Lit le référentiel et prépare les périodes."""
    return Contexte(
        parametres=parametres,
        aujourd_hui=aujourd_hui,
        periodes=creer_periodes(effectifs, aujourd_hui, parametres.trimestres),
        secteurs=list(Secteur.objects.order_by("ordre", "code")),
        themes=list(Theme.objects.order_by("ordre", "code")),
        calcules=list(Indicateur.objects.filter(mode=ModeCollecte.CALCULE).order_by("code")),
        effectifs=effectifs,
    )


def generer_donnees_echelle(
    parametres: Parametres,
    *,
    remplacer: bool = False,
    aujourd_hui: datetime.date | None = None,
) -> Rapport:
    """Génère les données d'échelle en une transaction. Lève `DonneesEchelleExistantes` (sans
    rien écrire) si elles existent déjà et que `remplacer` est faux."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    with transaction.atomic(), translation.override("fr"):
        rapport = Rapport(effectifs=Counter())
        if remplacer:
            rapport.supprimees = supprimer_donnees_echelle()
        elif donnees_echelle_presentes():
            raise DonneesEchelleExistantes(
                "Des données d'échelle existent déjà (quartiers « echelle-… », indicateurs "
                "« echelle-ind-… » ou leurs partenaires) : relancez avec --remplacer pour les "
                "effacer d'abord. Rien n'a été écrit."
            )
        rapport.referentiel_charge = assurer_referentiel()
        ctx = contexte(parametres, aujourd_hui, rapport.effectifs)
        creer_indicateurs(ctx)
        lots = creer_quartiers(ctx)
        creer_registre(lots, ctx)
        creer_strategies(lots, ctx)
        creer_actions(lots, ctx)
        creer_suivis(lots, ctx)
        creer_saisies(lots, ctx)
        creer_valeurs(lots, ctx)
        dater_historique(lots)
        inserer(ctx, Apprentissage, (a for qe in lots for a in apprentissages_du_quartier(qe, ctx)))
        analyser_tables()
    return rapport
