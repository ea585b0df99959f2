"""Lire la base en séries (`rapports.series`) pour un ensemble de quartiers et de périodes, en
un nombre fixe de requêtes quel que soit le volume. Les tableaux de bord et les bilans partent
d'ici; l'accès est appliqué avant, par les sélecteurs."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, F, Max, Min, Q, When, Window
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicateurs.calculs import (
    ActionLue,
    ParticipationLue,
    calculer,
    couvert_par_le_registre,
    debut_du_registre,
)
from indicateurs.models import (
    Action,
    Apprentissage,
    Calcul,
    CategorieApprentissage,
    Cible,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    Unite,
    Valeur,
)
from indicateurs.models.catalogue import suivi_mesure
from indicateurs.selectors import comptes_de_completude
from quartiers.models import Participation, Quartier
from rapports.series import Point, Repere, SerieIndicateur

# Les cibles lues vont jusqu'à un an après la dernière période affichée, la projection dessinée
# de la tendance (`rapports.resumes` lit les mêmes); au-delà, la première cible à venir est lue
# quelle que soit sa distance (`_cibles`).
HORIZON_DES_CIBLES = datetime.timedelta(days=366)


@dataclass(frozen=True)
class Filtre:
    """Les filtres d'un tableau de bord : intervalle de périodes, thème, famille."""

    periodes: tuple[Periode, ...]
    theme: str = ""
    famille: str = ""
    indicateur: str = ""  # un seul indicateur (code), pour la vue entre quartiers


def suivis_filtres(quartiers: Iterable[Quartier], filtre: Filtre):
    suivis = IndicateurSuivi.objects.filter(suivi_mesure(), quartier__in=quartiers)
    if filtre.theme:
        suivis = suivis.filter(indicateur__theme__code=filtre.theme)
    if filtre.famille:
        suivis = suivis.filter(indicateur__famille=filtre.famille)
    if filtre.indicateur:
        suivis = suivis.filter(indicateur__code=filtre.indicateur)
    return suivis.order_by("indicateur__famille", "indicateur__code")


def lire_registres(quartier_ids: Iterable[int]) -> dict[int, tuple[list, list]]:
    """Les registres (participations, actions) de plusieurs quartiers, en deux requêtes."""
    registres: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    participations = Participation.objects.filter(table__quartier_id__in=quartier_ids).values_list(
        "table__quartier_id",
        "partenaire_id",
        "partenaire__secteur_id",
        "partenaire__acteur_influence",
        "debut",
        "fin",
    )
    for quartier_id, *ligne in participations:
        registres[quartier_id][0].append(ParticipationLue(*ligne))
    actions = Action.objects.filter(quartier_id__in=quartier_ids).values_list(
        "quartier_id", "type_action", "debut", "fin"
    )
    for quartier_id, *ligne in actions:
        registres[quartier_id][1].append(ActionLue(*ligne))
    return registres


def mesures_du_registre(
    registres: dict[int, tuple[list, list]], quartier_id: int, periodes: Iterable[Periode]
) -> dict[str, dict[str, Decimal | None]]:
    """Pour un quartier : période (code) → indicateurs calculés. Une période qui finit avant le
    début du registre (`debut_du_registre` : sa première participation ou action,
    `couvert_par_le_registre`) a des indicateurs inconnus (None), pas nuls : une courbe
    0, 0, 0, 3 ne monte pas, le registre commence."""
    participations, actions = registres[quartier_id]
    depuis = debut_du_registre(participations, actions)
    return {
        p.code: calculer(participations, actions, p.debut, p.fin)
        if couvert_par_le_registre(p.fin, depuis)
        else dict.fromkeys(Calcul.values)
        for p in periodes
    }


def _valeurs(quartier_ids, indicateur_ids, periodes) -> tuple[dict, dict, dict]:
    """(quartier, indicateur, période) → valeur publiée : les nombres, à part les textes (ceux
    des indicateurs en texte) et les raisons des valeurs « non disponible », d'une seule
    requête. Sans tri : chaque clé est unique (une table par quartier, une saisie par table et
    période, une valeur par saisie et indicateur), et l'ordre par défaut de `Valeur` joindrait
    périodes, quartiers et indicateurs pour rien."""
    lignes = (
        Valeur.objects.publiees()
        .renseignees()
        .filter(
            saisie__table__quartier_id__in=quartier_ids,
            saisie__periode__in=periodes,
            indicateur_id__in=indicateur_ids,
        )
        .order_by()
        .values_list(
            "saisie__table__quartier_id",
            "indicateur_id",
            "saisie__periode_id",
            "valeur_numerique",
            "valeur_texte",
            "non_disponible",
            "raison_non_disponible",
        )
    )
    nombres: dict[tuple[int, int, int], Decimal] = {}
    textes: dict[tuple[int, int, int], str] = {}
    absences: dict[tuple[int, int, int], str] = {}
    for q, i, p, nombre, texte, non_disponible, raison in lignes:
        if nombre is not None:
            nombres[(q, i, p)] = nombre
        elif texte:
            textes[(q, i, p)] = texte
        elif non_disponible:
            absences[(q, i, p)] = raison
    return nombres, textes, absences


def _point_saisi(etiquette: tuple, valeur, texte: str, raison: str | None) -> Point:
    """Le point d'une valeur saisie : son nombre ou son texte, ou son absence expliquée."""
    _pk, code, libelle, debut = etiquette
    if raison is None:
        return Point(code, libelle, debut, valeur, texte)
    return Point(code, libelle, debut, None, "", True, raison)


def _cibles(suivi_ids, periodes: list[Periode]) -> dict[int, list[Point]]:
    """Les cibles des suivis : celles de la première période affichée jusqu'à un an après la
    dernière (la projection dessinée de la tendance va jusque-là); la première dont la période est
    la dernière affichée ou une suivante, quelle que soit sa distance (la cible de fin d'un plan
    de cinq ans, la seule souvent : sans elle, le statut se jugeait sur la seule référence et la
    cible n'était pas dessinée); et, pour un suivi qui n'en a aucune depuis la première période
    affichée, la dernière d'avant. Toutes ses cibles sont alors passées et cette dernière décide
    du statut (`statuts.cible_courante`) : sans elle, le statut changerait avec la longueur de
    l'intervalle (8 trimestres au bilan trimestriel, 12 à l'annuel et au tableau de bord). Une
    requête, qui ne rend rien de plus; `rapports.resumes` choisit parmi les mêmes cibles."""
    cibles: dict[int, list[Point]] = defaultdict(list)
    if not periodes:
        return cibles
    debut, fin = periodes[0].debut, periodes[-1].debut
    par_suivi = {"partition_by": F("suivi_id")}
    lignes = (
        Cible.objects.filter(suivi_id__in=suivi_ids)
        .annotate(
            derniere_avant=Window(
                Max(Case(When(periode__debut__lt=debut, then=F("periode__debut")))), **par_suivi
            ),
            derniere_depuis=Window(
                Max(Case(When(periode__debut__gte=debut, then=F("periode__debut")))), **par_suivi
            ),
            premiere_a_venir=Window(
                Min(Case(When(periode__debut__gte=fin, then=F("periode__debut")))), **par_suivi
            ),
        )
        .filter(
            Q(periode__debut__gte=debut, periode__debut__lte=fin + HORIZON_DES_CIBLES)
            | Q(periode__debut=F("premiere_a_venir"))
            | Q(periode__debut=F("derniere_avant"), derniere_depuis__isnull=True)
        )
        .order_by("periode__debut")
        .values_list("suivi_id", "periode__annee", "periode__trimestre", "periode__debut", "valeur")
    )
    etiquettes = _Etiquettes()
    for suivi_id, annee, trimestre, debut_cible, valeur in lignes:
        cibles[suivi_id].append(Point(*etiquettes[annee, trimestre], debut_cible, valeur))
    return cibles


class _Etiquettes(dict):
    """(année, trimestre) → (code, libellé), calculés une fois par lecture : gettext et la
    langue active coûtent cher à répéter des dizaines de milliers de fois."""

    def __missing__(self, cle: tuple[int, int]) -> tuple[str, str]:
        annee, trimestre = cle
        libelle = str(_("T%(trimestre)s %(annee)s") % {"trimestre": trimestre, "annee": annee})
        self[cle] = (f"{annee}-T{trimestre}", libelle)
        return self[cle]


def _reperes(
    quartier_ids, indicateur_ids, periodes: list[Periode]
) -> dict[tuple[int, int], list[Repere]]:
    """(quartier, indicateur) → apprentissages épinglés et publiés (`Apprentissage.publies`),
    des seuls indicateurs lus; en tuples."""
    libelles = dict(CategorieApprentissage.choices)
    par_periode = {p.pk: (p.code, p.libelle) for p in periodes}
    reperes: dict[tuple[int, int], list[Repere]] = defaultdict(list)
    lignes = (
        Apprentissage.objects.publies()
        .filter(
            quartier_id__in=quartier_ids, indicateur_id__in=indicateur_ids, periode__in=periodes
        )
        .order_by("periode__debut", "pk")
        .values_list(
            "quartier_id", "indicateur_id", "periode_id", "categorie", "texte_fr", "texte_en"
        )
    )
    anglais = (get_language() or "fr").startswith("en")
    for quartier, indicateur, periode, categorie, texte_fr, texte_en in lignes:
        code, libelle = par_periode[periode]
        # Comme `Apprentissage.texte` : la langue active, sinon l'autre.
        texte = (texte_en or texte_fr) if anglais else (texte_fr or texte_en)
        reperes[(quartier, indicateur)].append(
            Repere(code, libelle, str(libelles[categorie]), texte)
        )
    return reperes


CHAMPS_SUIVI = (
    "pk",
    "quartier_id",
    "indicateur_id",
    "valeur_reference",
    "date_reference",
    "indicateur__code",
    "indicateur__nom_fr",
    "indicateur__nom_en",
    "indicateur__unite",
    "indicateur__polarite",
    "indicateur__mode",
    "indicateur__calcul",
)


def lire_suivis(quartiers: Iterable[Quartier], filtre: Filtre) -> list:
    """Les suivis filtrés, en tuples nommés (`CHAMPS_SUIVI`). Une requête."""
    return list(suivis_filtres(quartiers, filtre).values_list(*CHAMPS_SUIVI, named=True))


def lire_series(
    quartiers: list[Quartier],
    filtre: Filtre,
    suivis: list | None = None,
    mesures: dict[int, dict[str, dict[str, Decimal]]] | None = None,
) -> dict[int, list[SerieIndicateur]]:
    """Quartier (id) → séries de ses indicateurs suivis, valeurs publiées et indicateurs
    calculés tirés du registre, cibles et apprentissages épinglés. Sept requêtes (moins si
    `suivis` — de `lire_suivis` — ou les `mesures` du registre sont déjà lus), et des tuples plutôt que des
    instances : à l'échelle du PIC, une vue lit des dizaines de milliers de valeurs."""
    periodes = list(filtre.periodes)
    if suivis is None:
        suivis = lire_suivis(quartiers, filtre)
    ids_quartiers = [q.pk for q in quartiers]
    saisis = {s.indicateur_id for s in suivis if s.indicateur__mode != ModeCollecte.CALCULE}
    valeurs, textes, absences = _valeurs(ids_quartiers, saisis, periodes) if saisis else ({},) * 3
    cibles = _cibles([s.pk for s in suivis], periodes)
    reperes = _reperes(ids_quartiers, {s.indicateur_id for s in suivis}, periodes)
    calcules = any(s.indicateur__mode == ModeCollecte.CALCULE for s in suivis)
    if mesures is None and calcules:
        registres = lire_registres(ids_quartiers)
        mesures = {q: mesures_du_registre(registres, q, periodes) for q in ids_quartiers}
    noms = {q.pk: q.nom for q in quartiers}
    etiquettes = [(p.pk, p.code, p.libelle, p.debut) for p in periodes]
    anglais = (get_language() or "fr").startswith("en")
    series: dict[int, list[SerieIndicateur]] = {q: [] for q in ids_quartiers}
    for suivi in suivis:
        if suivi.indicateur__mode == ModeCollecte.CALCULE:
            par_periode, calcul = mesures[suivi.quartier_id], suivi.indicateur__calcul
            points = [Point(c, lib, d, par_periode[c].get(calcul)) for _pk, c, lib, d in etiquettes]
        elif suivi.indicateur__unite == Unite.TEXTE:  # un texte, ni courbe ni statut
            q, i = suivi.quartier_id, suivi.indicateur_id
            points = [
                _point_saisi(e, None, textes.get((q, i, e[0]), ""), absences.get((q, i, e[0])))
                for e in etiquettes
            ]
        else:
            q, i = suivi.quartier_id, suivi.indicateur_id
            points = [
                _point_saisi(e, valeurs.get((q, i, e[0])), "", absences.get((q, i, e[0])))
                for e in etiquettes
            ]
        series[suivi.quartier_id].append(
            SerieIndicateur(
                code=suivi.indicateur__code,
                nom=suivi.indicateur__nom_en if anglais else suivi.indicateur__nom_fr,
                unite=suivi.indicateur__unite,
                polarite=suivi.indicateur__polarite,
                quartier=noms[suivi.quartier_id],
                reference=suivi.valeur_reference,
                date_reference=suivi.date_reference,
                points=points,
                cibles=cibles.get(suivi.pk, []),
                reperes=reperes.get((suivi.quartier_id, suivi.indicateur_id), []),
            )
        )
    return series


def parts_renseignees(
    quartiers: list[Quartier], periodes: list[Periode]
) -> dict[tuple[int, int], float]:
    """(quartier, période) → part (0–100) des valeurs attendues qui sont renseignées dans une
    saisie publiée, selon la règle de la page de complétude (`comptes_de_completude`) : pour un
    trimestre transmis, ce que le formulaire demandait à la soumission; sinon ce que la table
    saisit aujourd'hui, 0 si rien n'a été transmis. Pas de part (absente) quand rien n'est
    attendu (table sans rien à saisir, quartier sans table). Deux requêtes."""
    return {
        cle: round(100 * compte.renseignees / compte.attendues, 1)
        for cle, compte in comptes_de_completude(quartiers, periodes).items()
    }
