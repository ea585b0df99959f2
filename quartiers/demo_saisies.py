"""Données de démonstration : indicateurs suivis (référence et cibles de fin d'année), saisies
trimestrielles et valeurs fictives des indicateurs saisis.

Les valeurs tendent vers les cibles, avec du bruit, quelques « non disponible » dont la raison
tient à la source de la donnée (`provenance`), une saisie renvoyée pour une valeur aberrante, la
dernière saisie soumise et les autres validées.
Aucune valeur n'est créée pour les indicateurs calculés : ils viennent du registre."""

from __future__ import annotations

import datetime
import random
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from indicateurs.calculs import indicateurs_calcules
from indicateurs.models import (
    Calcul,
    Cible,
    EvenementSaisie,
    Indicateur,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    Saisie,
    StatutPeriode,
    StatutSaisie,
    TypeEvenement,
    Unite,
    Valeur,
)
from indicateurs.services import decrire, donnee_de, noter_les_valeurs_demandees
from quartiers.demo_commun import ANNEE_REFERENCE, SOURCE_FICTIVE, ProfilDemo, generateur
from quartiers.models import Quartier, TableDeQuartier, Utilisateur

DATE_REFERENCE = datetime.date(ANNEE_REFERENCE, 12, 31)


@dataclass(frozen=True)
class SerieDemo:
    """Une série saisie : référence et cible à quatre ans (pour un quartier de taille 1)."""

    code: str
    reference: float
    cible_finale: float
    decimales: int
    proportionnelle: bool = True  # multipliée par la taille du quartier


# Les séries que suit chaque quartier, puis celles des marqueurs propres au thème de son
# changement sur les personnes (`ProfilDemo.indicateurs_personnes`).
SERIES = (
    SerieDemo("cond-menages-securite-alimentaire", 300, 420, 0),
    SerieDemo("pers-personnes-rejointes", 400, 580, 0),
    SerieDemo("proc-benevoles", 35, 55, 0),
    SerieDemo("proc-qualite-concertation", 3.0, 4.0, 1, proportionnelle=False),
    SerieDemo("sys-financement-mobilise", 30000, 75000, -2),
    SerieDemo("cond-signalements-incivilites", 60, 40, 0),
)
SERIE_SERRE = SerieDemo("cond-semis-distribues", 2250, 2600, 0, proportionnelle=False)
SAISONS_SERRE = {1: 0.6, 2: 2.2, 3: 0.9, 4: 0.3}  # ~9 000 semis par an, surtout au printemps
SERIES_DES_THEMES = {
    serie.code: serie
    for serie in (
        SerieDemo("pers-participation-parents", 22, 34, 1, proportionnelle=False),
        SERIE_SERRE,
        SerieDemo("cond-menages-accompagnes-logement", 70, 100, 0),
        SerieDemo("pers-leadership-citoyen", 12, 20, 0),
    )
}
CODE_TEXTE = "sys-politique-municipale"
CODE_ABERRANT = "cond-menages-securite-alimentaire"

# Hausse annuelle visée des indicateurs calculés : (pas, décimales, plafond).
PROGRESSION_CALCULEE = {
    Calcul.PARTENAIRES_ACTIFS: (2, 0, None),
    Calcul.SECTEURS_DISTINCTS: (0.5, 0, 8),
    Calcul.DIVERSITE_SHANNON: (0.04, 3, 2.079),
    Calcul.ACTEURS_INFLUENCE: (1, 0, None),
    Calcul.ACTIONS_PARTICIPATION: (1, 0, None),
}

ETAPES_POLITIQUE = (
    "Démarche amorcée : premières rencontres avec l'arrondissement.",
    "Comité de travail formé avec l'arrondissement; orientations en discussion.",
    "Projet déposé au conseil d'arrondissement après consultation des résident·es.",
    "Adoption par le conseil d'arrondissement.",
    "Mise en œuvre : premières mesures appliquées, suivies par la table.",
)

# Les raisons d'un « non disponible », selon d'où vient la donnée (`provenance`) : un
# questionnaire reporté n'explique pas un montant attendu des bailleurs.
RAISONS_PAR_PROVENANCE = {
    "questionnaire": (
        "Questionnaire reporté au trimestre suivant faute de répondant·es.",
        "Trop peu de réponses au questionnaire ce trimestre pour en tirer une moyenne.",
    ),
    "bailleurs": (
        "Montants pas encore confirmés par les bailleurs de fonds à l'échéance.",
        "Décisions de financement attendues après le comité d'attribution du bailleur.",
    ),
    "administration": (
        "Données pas encore publiées par l'administration publique pour ce trimestre.",
        "Extraction demandée à l'arrondissement, pas encore reçue à l'échéance.",
    ),
    "ecoles": (
        "Relevés des écoles partenaires non transmis à l'échéance (fin d'étape).",
        "Changement de direction à l'école : compilation des présences reportée.",
    ),
    "organismes": (
        "Données de l'organisme partenaire non reçues à l'échéance.",
        "Changement de logiciel chez le partenaire : données en cours de récupération.",
    ),
    "registre": (
        "Feuilles de présence pas encore compilées par la table à l'échéance.",
        "Registre de la table en cours de mise à jour après le départ de la coordination.",
    ),
}
MOTS_ADMINISTRATION = ("ministère", "recensement", "arrondissement", "procès-verbaux", "transport")

MOTIF_RENVOI = (
    "Le nombre de ménages desservis a plus que doublé par rapport au trimestre précédent : "
    "merci de vérifier la donnée ou d'ajouter un commentaire qui explique l'écart."
)


def _arrondir(valeur: float, decimales: int, unite: str) -> Decimal:
    bornes = {Unite.POURCENTAGE: (0, 100), Unite.ECHELLE: (1, 5)}
    bas, haut = bornes.get(unite, (0, None))
    valeur = max(bas, valeur if haut is None else min(haut, valeur))
    pas = Decimal(1) if decimales <= 0 else Decimal(10) ** -decimales
    return Decimal(str(round(valeur, decimales))).quantize(pas)


def _facteur(serie: SerieDemo, profil: ProfilDemo) -> float:
    return profil.taille if serie.proportionnelle else 1.0


def _pente(serie: SerieDemo) -> float:
    return (serie.cible_finale - serie.reference) / 4


# La part du rythme des cibles que tient une série : en avance, dans les temps, un peu ou
# nettement en retard. Un seul rythme pour toutes (0,9 jusqu'ici) posait chaque série à la limite
# de « en bonne voie » (90 % du changement prévu) : la démo montrait des statuts tirés au sort.
RYTHMES = (1.1, 1.0, 0.97, 0.8, 0.6)


def _rythme(serie: SerieDemo, profil: ProfilDemo) -> float:
    """Le rythme d'une série dans un quartier, le même d'une génération à l'autre."""
    return RYTHMES[zlib.crc32(f"{profil.slug}/{serie.code}".encode()) % len(RYTHMES)]


def cible_de_l_annee(serie: SerieDemo, profil: ProfilDemo, annee: int, unite: str) -> Decimal:
    """La cible de fin d'année : une progression linéaire depuis la référence."""
    valeur = serie.reference + _pente(serie) * (annee - ANNEE_REFERENCE)
    return _arrondir(valeur * _facteur(serie, profil), serie.decimales, unite)


def valeur_du_trimestre(
    serie: SerieDemo, profil: ProfilDemo, periode: Periode, unite: str, rng: random.Random
) -> Decimal:
    """Une valeur plausible : au rythme propre à la série dans ce quartier (`_rythme`), avec du
    bruit (et des saisons)."""
    annees = periode.annee - ANNEE_REFERENCE - 1 + periode.trimestre / 4
    tendance = serie.reference + _pente(serie) * annees * _rythme(serie, profil)
    ecart = {Unite.POURCENTAGE: 1.5, Unite.ECHELLE: 0.15}.get(unite, 0.07 * serie.reference)
    valeur = tendance + rng.gauss(0, ecart)
    if serie.code == SERIE_SERRE.code:
        valeur *= SAISONS_SERRE[periode.trimestre]
    return _arrondir(valeur * _facteur(serie, profil), serie.decimales, unite)


def series_du_profil(profil: ProfilDemo) -> tuple[SerieDemo, ...]:
    """Les séries communes, puis celles des marqueurs du changement sur les personnes que les
    séries communes ne donnent pas déjà."""
    communes = {serie.code for serie in SERIES}
    propres = [c for c in profil.indicateurs_personnes if c not in communes]
    return (*SERIES, *(SERIES_DES_THEMES[code] for code in propres))


def provenance(indicateur: Indicateur) -> str:
    """D'où vient la donnée d'un indicateur saisi, lu de sa source et de son unité au
    catalogue : une clé de `RAISONS_PAR_PROVENANCE`."""
    source = indicateur.source.lower()
    if indicateur.unite == Unite.DOLLARS or "bailleur" in source:
        return "bailleurs"
    if indicateur.unite == Unite.ECHELLE or "questionnaire" in source or "autoévaluation" in source:
        return "questionnaire"
    if any(mot in source for mot in MOTS_ADMINISTRATION):
        return "administration"
    if "école" in source:
        return "ecoles"
    if "organisme" in source:
        return "organismes"
    if "registre" in source or "inventaire" in source:
        return "registre"
    return "organismes"


def raison_non_disponible(indicateur: Indicateur, rng: random.Random) -> str:
    """Une raison plausible de « non disponible » pour cet indicateur (un seul tirage). Partagée
    avec les données d'échelle (rapports.echelle.saisies)."""
    return rng.choice(RAISONS_PAR_PROVENANCE[provenance(indicateur)])


# --- Suivis et cibles ---------------------------------------------------------------------------


def _suivi(
    indicateur: Indicateur, quartier: Quartier, reference: Decimal | None
) -> IndicateurSuivi:
    suivi, _ = IndicateurSuivi.objects.update_or_create(
        indicateur=indicateur,
        quartier=quartier,
        defaults={
            "valeur_reference": reference,
            "date_reference": DATE_REFERENCE if reference is not None else None,
            "source_reference": SOURCE_FICTIVE,
            "actif": True,
        },
    )
    return suivi


def _cibles_calculees(reference: Decimal, calcul: str, annees: list[int]) -> dict[int, Decimal]:
    pas, decimales, plafond = PROGRESSION_CALCULEE[calcul]
    cibles = {}
    for annee in annees:
        valeur = float(reference) + pas * (annee - ANNEE_REFERENCE)
        valeur = min(valeur, plafond) if plafond else valeur
        cibles[annee] = _arrondir(valeur, decimales, Unite.INDICE)
    return cibles


def creer_suivis(
    quartier: Quartier,
    profil: ProfilDemo,
    indicateurs: dict[str, Indicateur],
    fins_d_annee: list[Periode],
) -> dict[str, IndicateurSuivi]:
    """Les indicateurs suivis du quartier (saisis et calculés), leur référence et leurs cibles."""
    annees = [p.annee for p in fins_d_annee]
    suivis, cibles = {}, {}
    for serie in series_du_profil(profil):
        indicateur = indicateurs[serie.code]
        reference = cible_de_l_annee(serie, profil, ANNEE_REFERENCE, indicateur.unite)
        suivis[serie.code] = _suivi(indicateur, quartier, reference)
        cibles[serie.code] = {
            a: cible_de_l_annee(serie, profil, a, indicateur.unite) for a in annees
        }
    suivis[CODE_TEXTE] = _suivi(indicateurs[CODE_TEXTE], quartier, None)
    references = indicateurs_calcules(
        quartier, datetime.date(ANNEE_REFERENCE, 10, 1), DATE_REFERENCE
    )
    for indicateur in indicateurs.values():
        if indicateur.mode == ModeCollecte.CALCULE:
            reference = references[indicateur.calcul]
            suivis[indicateur.code] = _suivi(indicateur, quartier, reference)
            cibles[indicateur.code] = _cibles_calculees(reference, indicateur.calcul, annees)
    _creer_cibles(suivis, cibles, {p.annee: p for p in fins_d_annee})
    return suivis


def _creer_cibles(
    suivis: dict[str, IndicateurSuivi],
    cibles: dict[str, dict[int, Decimal]],
    periodes: dict[int, Periode],
) -> None:
    existantes = set(
        Cible.objects.filter(suivi__in=suivis.values()).values_list("suivi_id", "periode_id")
    )
    Cible.objects.bulk_create(
        Cible(suivi=suivis[code], periode=periodes[annee], valeur=valeur)
        for code, par_annee in cibles.items()
        for annee, valeur in par_annee.items()
        if (suivis[code].pk, periodes[annee].pk) not in existantes
    )


# --- Saisies et valeurs -------------------------------------------------------------------------


def _moment(jour: datetime.date, heure: int) -> datetime.datetime:
    moment = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))
    return min(moment, timezone.now())


def _etat_saisie(
    profil: ProfilDemo,
    periode: Periode,
    derniere: bool,
    coordination: Utilisateur | None,
    evaluation: Utilisateur,
) -> dict[str, object]:
    """Validée si la période est fermée; sinon soumise (renvoyée avec un motif à Saint-Léonard)."""
    renvoyee = derniere and profil.slug == "saint-leonard"
    statut = StatutSaisie.SOUMISE if derniere else StatutSaisie.VALIDEE
    statut = StatutSaisie.RENVOYEE if renvoyee else statut
    valide = statut == StatutSaisie.VALIDEE
    return {
        "statut": statut,
        "motif_renvoi": MOTIF_RENVOI if renvoyee else "",
        "soumise_le": _moment(periode.echeance - datetime.timedelta(days=5), 10),
        "soumise_par": coordination,
        "validee_le": _moment(periode.echeance + datetime.timedelta(days=10), 14)
        if valide
        else None,
        "validee_par": evaluation if valide else None,
    }


def _valeur_numerique(
    saisie: Saisie, serie: SerieDemo, indicateur: Indicateur, profil: ProfilDemo
) -> Valeur:
    periode = saisie.periode
    rng = generateur("valeur", profil.slug, serie.code, periode.annee, periode.trimestre)
    valeur = valeur_du_trimestre(serie, profil, periode, indicateur.unite, rng)
    if saisie.statut == StatutSaisie.RENVOYEE and serie.code == CODE_ABERRANT:
        return Valeur(saisie=saisie, indicateur=indicateur, valeur_numerique=valeur * 2 + 57)
    if rng.random() < 0.04:
        raison = raison_non_disponible(indicateur, rng)
        return Valeur(
            saisie=saisie, indicateur=indicateur, non_disponible=True, raison_non_disponible=raison
        )
    commentaire = ""
    if serie.code == SERIE_SERRE.code and periode.trimestre == 2:
        commentaire = "Pic saisonnier : distribution printanière des semis."
    return Valeur(
        saisie=saisie, indicateur=indicateur, valeur_numerique=valeur, commentaire=commentaire
    )


def _valeur_texte(saisie: Saisie, indicateur: Indicateur, profil: ProfilDemo, rang: int) -> Valeur:
    decalage = generateur("politique", profil.slug).randint(0, 3)
    etape = ETAPES_POLITIQUE[min(len(ETAPES_POLITIQUE) - 1, (rang + decalage) // 3)]
    texte = f"{etape} Objet : {profil.sujet_politique} (données fictives)."
    return Valeur(saisie=saisie, indicateur=indicateur, valeur_texte=texte)


def creer_saisies(
    table: TableDeQuartier,
    profil: ProfilDemo,
    indicateurs: dict[str, Indicateur],
    periodes_passees: list[Periode],
    coordination: Utilisateur | None,
    evaluation: Utilisateur,
) -> None:
    """Une saisie par trimestre passé et, pour les saisies encore vides, toutes les valeurs des
    indicateurs saisis suivis (créées en lot). Chaque saisie de démonstration a été soumise
    (validée ensuite, ou renvoyée) : ses valeurs sont marquées demandées ou non par la fonction
    de la soumission (`services.noter_les_valeurs_demandees`), comme si la table l'avait soumise
    avec les suivis créés juste avant (`creer_suivis`). Sans la marque, la complétude de ses
    trimestres suivrait les indicateurs saisis le jour où on la lit."""
    deja_remplies = set(
        Valeur.objects.filter(saisie__table=table).values_list("saisie_id", flat=True)
    )
    valeurs, saisies = [], []
    for rang, periode in enumerate(periodes_passees):
        ouverte = periode.statut == StatutPeriode.OUVERTE
        if ouverte and coordination is not None:
            continue  # le trimestre que la coordonnatrice de démonstration doit encore saisir
        etat = _etat_saisie(profil, periode, ouverte, coordination, evaluation)
        saisie, _ = Saisie.objects.update_or_create(table=table, periode=periode, defaults=etat)
        saisies.append(saisie)
        if saisie.pk in deja_remplies:
            continue
        for serie in series_du_profil(profil):
            valeurs.append(_valeur_numerique(saisie, serie, indicateurs[serie.code], profil))
        valeurs.append(_valeur_texte(saisie, indicateurs[CODE_TEXTE], profil, rang))
    Valeur.objects.bulk_create(valeurs)
    EvenementSaisie.objects.bulk_create(_historique(valeurs, coordination))
    noter_les_valeurs_demandees(table, saisies)


def _historique(valeurs: list[Valeur], auteur: Utilisateur | None) -> list[EvenementSaisie]:
    """Chaque valeur de démonstration a sa ligne d'historique, comme une vraie saisie."""
    return [
        EvenementSaisie(
            saisie=valeur.saisie,
            type_evenement=TypeEvenement.VALEUR,
            indicateur=valeur.indicateur,
            nouvelle=decrire(donnee_de(valeur)),
            auteur=auteur,
            version=1,
        )
        for valeur in valeurs
    ]
