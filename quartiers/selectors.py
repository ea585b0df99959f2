"""Lectures composées pour les pages des quartiers. Chacune part du sélecteur d'accès et fait
un nombre de requêtes qui ne dépend pas du volume de données."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from indicateurs.calculs import calculer, lire_registre
from indicateurs.models import (
    ChangementVise,
    EtatDeMesure,
    Indicateur,
    IndicateurSuivi,
    LienDeChangement,
    ModeCollecte,
    Periode,
    StatutStrategie,
    StrategieDeChangement,
    Valeur,
)
from quartiers.acces import Droit, quartier_accessible_ou_404, quartiers_accessibles
from quartiers.models import Participation, Quartier
from rapports.lectures import Filtre, mesures_du_registre, suivis_filtres


def quartiers_pour_accueil(utilisateur) -> QuerySet[Quartier]:
    """Les quartiers visibles, avec leur table et de quoi résumer chacun en une ligne."""
    aujourd_hui = timezone.localdate()
    actives = Q(table__participations__debut__lte=aujourd_hui) & (
        Q(table__participations__fin__isnull=True) | Q(table__participations__fin__gte=aujourd_hui)
    )
    return (
        quartiers_accessibles(utilisateur, Droit.VOIR)
        .select_related("table")
        .annotate(
            nb_partenaires_actifs=Count(
                "table__participations__partenaire", filter=actives, distinct=True
            ),
            nb_indicateurs_suivis=Count(
                "indicateurs_suivis", filter=Q(indicateurs_suivis__actif=True), distinct=True
            ),
        )
        .order_by("niveau_soutien", "nom")
    )


@dataclass
class PartenairesParAnnee:
    annee: int
    actifs: int
    secteurs: int
    diversite: Decimal
    acteurs_influence: int


@dataclass
class PageQuartier:
    quartier: Quartier
    participations: list[Participation]
    evolution: list[PartenairesParAnnee]
    strategie: StrategieDeChangement | None
    versions: list[StrategieDeChangement]
    changements: list[ChangementVise] = field(default_factory=list)
    liens: list[LienDeChangement] = field(default_factory=list)
    suivis: list[IndicateurSuivi] = field(default_factory=list)

    @property
    def nomme_des_indicateurs_non_mesures(self) -> bool:
        """Vrai si la stratégie nomme un indicateur que ce quartier ne mesure pas (ou plus)."""
        return any(i.etat_de_mesure for c in self.changements for i in c.indicateurs_lus)


def _evolution_partenaires(participations: list, actions: list) -> list[PartenairesParAnnee]:
    if not participations:
        return []
    premiere = min(p.debut for p in participations).year
    derniere = timezone.localdate().year
    evolution = []
    for annee in range(premiere, derniere + 1):
        mesures = calculer(
            participations, actions, datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
        )
        evolution.append(
            PartenairesParAnnee(
                annee=annee,
                actifs=int(mesures["partenaires_actifs"]),
                secteurs=int(mesures["secteurs_distincts"]),
                diversite=mesures["diversite_shannon"],
                acteurs_influence=int(mesures["acteurs_influence"]),
            )
        )
    return evolution


def _derniere_valeur(champ: str):
    """La dernière valeur transmise, nombre ou texte (jamais un brouillon, comme sur les tableaux
    de bord)."""
    return Subquery(
        Valeur.objects.publiees()
        .filter(
            Q(valeur_numerique__isnull=False) | ~Q(valeur_texte=""),
            saisie__table__quartier_id=OuterRef("quartier_id"),
            indicateur_id=OuterRef("indicateur_id"),
        )
        .order_by("-saisie__periode__debut")
        .values(champ)[:1]
    )


def _suivis_avec_derniere_valeur(quartier: Quartier, registre: tuple[list, list]) -> list:
    """Les indicateurs suivis que montrent les tableaux de bord et les bilans (actifs, d'un
    indicateur approuvé : `rapports.lectures.suivis_filtres`, sans filtre) et leur dernière
    valeur : saisie (nombre ou texte) lue en sous-requêtes; calculée à partir du registre sur la
    dernière période commencée par la fonction des tableaux de bord (`mesures_du_registre`; une
    requête de plus, s'il y a des indicateurs calculés) : inconnue (None, « aucune ») et non
    nulle si le registre ne couvre pas cette période (`couvert_par_le_registre`, la règle des
    séries et de la saisie)."""
    suivis = list(
        suivis_filtres([quartier], Filtre(periodes=()))
        .select_related("indicateur__theme")
        .annotate(
            derniere_valeur=_derniere_valeur("valeur_numerique"),
            derniere_texte=_derniere_valeur("valeur_texte"),
            derniere_periode_annee=_derniere_valeur("saisie__periode__annee"),
            derniere_periode_trimestre=_derniere_valeur("saisie__periode__trimestre"),
        )
    )
    calcules = [s for s in suivis if s.indicateur.mode == ModeCollecte.CALCULE]
    periode = Periode.objects.commencees().first() if calcules else None
    if periode:
        mesures = mesures_du_registre({quartier.pk: registre}, quartier.pk, [periode])
        for suivi in calcules:
            suivi.derniere_valeur = mesures[periode.code].get(suivi.indicateur.calcul)
            suivi.derniere_texte = ""
            suivi.derniere_periode_annee = periode.annee
            suivi.derniere_periode_trimestre = periode.trimestre
    return suivis


def page_quartier(utilisateur, slug: str) -> PageQuartier:
    """Tout ce que montre la page d'un quartier : sa table, ses partenaires dans le temps, sa
    stratégie de changement (la version en vigueur ou la plus récente) et ses indicateurs."""
    quartier = quartier_accessible_ou_404(utilisateur, slug, Droit.VOIR)
    participations = list(
        Participation.objects.filter(table__quartier=quartier)
        .select_related("partenaire__secteur")
        .order_by("debut", "partenaire__nom")
    )
    versions = list(quartier.strategies.visibles_de(utilisateur).order_by("-version"))
    strategie = next((v for v in versions if v.statut == StatutStrategie.EN_VIGUEUR), None)
    strategie = strategie or (versions[0] if versions else None)
    registre = lire_registre(quartier)
    page = PageQuartier(
        quartier=quartier,
        participations=participations,
        evolution=_evolution_partenaires(*registre),
        strategie=strategie,
        versions=versions,
    )
    if strategie:
        # Chaque indicateur avec son état de mesure pour ce quartier (« retiré », « plus
        # suivi »…) : la page le nomme et le marque au lieu de le montrer comme mesuré.
        indicateurs = Indicateur.objects.avec_etat_de_mesure(quartier)
        page.changements = list(
            strategie.changements.select_related("theme").prefetch_related(
                Prefetch("indicateurs", queryset=indicateurs, to_attr="indicateurs_lus")
            )
        )
        for changement in page.changements:
            for indicateur in changement.indicateurs_lus:
                indicateur.etat_de_mesure = EtatDeMesure(indicateur.etat_de_mesure)
        page.liens = list(strategie.liens.select_related("source", "cible"))
    page.suivis = _suivis_avec_derniere_valeur(quartier, registre)
    return page
