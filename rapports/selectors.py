"""Ce que montre chaque tableau de bord, lu à partir du sélecteur d'accès. Un nombre fixe de
requêtes par écran, quel que soit le volume de données."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from indicateurs.models import (
    Action,
    ChangementVise,
    EtatDeMesure,
    Indicateur,
    ModeCollecte,
    StatutIndicateur,
    StatutStrategie,
    StrategieDeChangement,
)
from indicateurs.models.catalogue import etat_de_mesure
from indicateurs.models.saisies import STATUTS_PUBLIES
from quartiers.acces import Droit, quartier_accessible_ou_404, quartiers_accessibles
from quartiers.models import Quartier
from rapports.lectures import (
    Filtre,
    lire_registres,
    lire_series,
    lire_suivis,
    mesures_du_registre,
    parts_renseignees,
)
from rapports.resumes import lire_resumes
from rapports.series import SerieIndicateur, Statut
from rapports.statuts import a_un_statut, statut, statut_du_resume


@dataclass
class LigneQuartier:
    quartier: Quartier
    statuts: dict[str, int]
    # None : trimestre d'avant le début du registre (`lectures.mesures_du_registre`).
    partenaires: list[float | None] = field(default_factory=list)
    diversite: list[float | None] = field(default_factory=list)
    derniers_calcules: dict[str, float | None] = field(default_factory=dict)
    # Sans indicateur qui ait un statut, la ligne le dit au lieu de zéros partout.
    indicateurs_suivis: int = 0
    indicateurs_a_statut: int = 0


@dataclass
class TableauPIC:
    filtre: Filtre
    lignes: list[LigneQuartier]
    completude: list[list[float | None]]

    def avec_et_sans_donnees(
        self,
    ) -> tuple[list[tuple[LigneQuartier, list[float | None]]], list[LigneQuartier]]:
        """Les quartiers qui ont quelque chose à montrer sur ces trimestres, chacun avec les
        parts renseignées de sa ligne de la carte de complétude, puis ceux qui n'ont rien
        (`_sans_donnees`), dans l'ordre du tableau. Sans requête."""
        avec, sans = [], []
        for ligne, parts in zip(self.lignes, self.completude, strict=True):
            if _sans_donnees(ligne, parts):
                sans.append(ligne)
            else:
                avec.append((ligne, parts))
        return avec, sans


def _sans_donnees(ligne: LigneQuartier, parts: list[float | None]) -> bool:
    """Rien à montrer d'un quartier sur ces trimestres : aucun indicateur suivi (dans le
    filtre), rien à saisir, aucun indicateur calculé. Il n'a ni barre ni ligne de la carte de
    complétude (ni courbe des partenaires : `graphiques.sans_partenaires`); les tableaux le
    regroupent, avec les autres, en une dernière ligne."""
    calcules = [*ligne.partenaires, *ligne.diversite, *ligne.derniers_calcules.values()]
    return (
        not ligne.indicateurs_suivis
        and all(part is None for part in parts)
        and all(valeur is None for valeur in calcules)
    )


def tableau_pic(utilisateur, filtre: Filtre) -> TableauPIC:
    """Vue d'ensemble : chaque quartier visible par rapport à ses propres références et cibles
    (sans classement), complétude par trimestre, partenaires et diversité dans le temps."""
    quartiers = list(quartiers_accessibles(utilisateur, Droit.VOIR).order_by("nom"))
    periodes = list(filtre.periodes)
    ids = [q.pk for q in quartiers]
    registres = lire_registres(ids)
    # Les statuts des indicateurs saisis se comptent sur leurs résumés, calculés en SQL; les
    # indicateurs calculés (quelques-uns par quartier) ont leurs séries, tirées du registre. Un
    # indicateur en texte n'a pas de statut (`a_un_statut`).
    suivis = lire_suivis(quartiers, filtre)
    calcules = [s for s in suivis if s.indicateur__mode == ModeCollecte.CALCULE]
    saisis = [
        s
        for s in suivis
        if s.indicateur__mode != ModeCollecte.CALCULE and a_un_statut(s.indicateur__unite)
    ]
    resumes = lire_resumes(ids, saisis, periodes, STATUTS_PUBLIES)
    statuts_par_quartier: dict[int, Counter] = {q: Counter() for q in ids}
    for (quartier_id, _indicateur), resume in resumes.items():
        statuts_par_quartier[quartier_id][statut_du_resume(resume).value] += 1
    mesures = {q: mesures_du_registre(registres, q, periodes) for q in ids}
    if calcules:
        series = lire_series(quartiers, filtre, suivis=calcules, mesures=mesures)
        for quartier_id, liste in series.items():
            statuts_par_quartier[quartier_id].update(statut(s).value for s in liste)
    parts = parts_renseignees(quartiers, periodes)
    suivis_par_quartier = Counter(s.quartier_id for s in suivis)
    a_statut_par_quartier = Counter(s.quartier_id for s in [*saisis, *calcules])
    lignes = []
    for quartier in quartiers:
        mesures_du_quartier = mesures[quartier.pk]
        comptes = statuts_par_quartier[quartier.pk]
        ligne = LigneQuartier(quartier, {s.value: comptes.get(s.value, 0) for s in Statut})
        ligne.indicateurs_suivis = suivis_par_quartier[quartier.pk]
        ligne.indicateurs_a_statut = a_statut_par_quartier[quartier.pk]
        ligne.partenaires = [
            _flottant(mesures_du_quartier[p.code]["partenaires_actifs"]) for p in periodes
        ]
        ligne.diversite = [
            _flottant(mesures_du_quartier[p.code]["diversite_shannon"]) for p in periodes
        ]
        if periodes:
            dernieres = mesures_du_quartier[periodes[-1].code]
            ligne.derniers_calcules = {k: _flottant(v) for k, v in dernieres.items()}
        lignes.append(ligne)
    completude = [[parts.get((q.pk, p.pk)) for p in periodes] for q in quartiers]
    return TableauPIC(filtre, lignes, completude)


def _flottant(nombre: Decimal | None) -> float | None:
    return None if nombre is None else float(nombre)


@dataclass
class GroupeDeSeries:
    changement: ChangementVise | None
    series: list[tuple[SerieIndicateur, str]]  # (série, statut)


@dataclass
class TableauQuartier:
    quartier: Quartier
    filtre: Filtre
    groupes: list[GroupeDeSeries]


def tableau_quartier(utilisateur, slug: str, filtre: Filtre) -> TableauQuartier:
    """Par changement visé de la stratégie en vigueur, la courbe de chaque indicateur suivi."""
    quartier = quartier_accessible_ou_404(utilisateur, slug, Droit.VOIR)
    series = {s.code: s for s in lire_series([quartier], filtre)[quartier.pk]}
    changements = ChangementVise.objects.filter(
        strategie__quartier=quartier, strategie__statut=StatutStrategie.EN_VIGUEUR
    ).prefetch_related("indicateurs")
    groupes, places = [], set()
    for changement in changements:
        codes = [i.code for i in changement.indicateurs.all() if i.code in series]
        membres = [series[c] for c in codes if c not in places]
        places.update(s.code for s in membres)
        if membres:
            groupes.append(GroupeDeSeries(changement, [(s, statut(s).value) for s in membres]))
    autres = [s for code, s in series.items() if code not in places]
    if autres:
        groupes.append(GroupeDeSeries(None, [(s, statut(s).value) for s in autres]))
    return TableauQuartier(quartier, filtre, groupes)


@dataclass
class TheorieDuChangement:
    quartier: Quartier
    strategie: StrategieDeChangement | None
    versions: list[StrategieDeChangement]
    noeuds: list[dict]
    liens: list[tuple[str, str, str]]

    @property
    def nomme_des_indicateurs_non_mesures(self) -> bool:
        """Vrai si un changement visé nomme un indicateur que le quartier ne mesure pas (ou plus)."""
        return any(noeud["non_mesures"] for noeud in self.noeuds)


def theorie_du_changement(utilisateur, slug: str, version: int | None) -> TheorieDuChangement:
    """Le graphe d'une version de la stratégie (en vigueur par défaut) : changements visés,
    liens avec leurs hypothèses, indicateurs et actions de chaque changement. Les brouillons
    ne sont des versions que pour qui tient la stratégie du quartier : sa coordination,
    l'évaluation et l'administration (404 pour les autres); avec qui les a soumis ou renvoyés."""
    quartier = quartier_accessible_ou_404(utilisateur, slug, Droit.VOIR)
    versions = list(
        quartier.strategies.visibles_de(utilisateur)
        .select_related("soumise_par", "renvoyee_par")
        .order_by("-version")
    )
    if version is not None:
        strategie = next((v for v in versions if v.version == version), None)
        if strategie is None:
            raise Http404(_("Version introuvable."))
    else:
        en_vigueur = [v for v in versions if v.statut == StatutStrategie.EN_VIGUEUR]
        strategie = (en_vigueur or versions or [None])[0]
    noeuds, liens = [], []
    if strategie:
        indicateurs, non_mesures = _indicateurs_des_changements(strategie)
        actions = _par_changement(Action.changements.through, strategie, "action", Action, "titre")
        noeuds = [
            {
                "code": c.code,
                "libelle": c.libelle,
                "horizon": c.horizon,
                "libelle_horizon": str(c.get_horizon_display()),
                "famille": str(c.get_famille_display()),
                "code_famille": c.famille,  # sa couleur dans le graphe
                "indicateurs": indicateurs[c.pk],
                # Code → `EtatDeMesure` de ceux que le quartier ne mesure pas (ou plus) : le
                # graphe et le tableau les marquent (« retiré », « plus suivi »…).
                "non_mesures": non_mesures[c.pk],
                "actions": actions[c.pk],
            }
            for c in strategie.changements.all()
        ]
        liens = [
            (lien.source.code, lien.cible.code, lien.hypothese)
            for lien in strategie.liens.select_related("source", "cible")
        ]
    return TheorieDuChangement(quartier, strategie, versions, noeuds, liens)


def _indicateurs_des_changements(strategie) -> tuple[dict, dict]:
    """Changement visé (id) → codes de ses indicateurs, dans l'ordre du modèle, et → {code :
    `EtatDeMesure`} de ceux que le quartier de la stratégie ne mesure pas (`etat_de_mesure`,
    la règle des autres pages). Une requête de tuples."""
    etat = etat_de_mesure(strategie.quartier_id, "indicateur__")
    indicateurs: dict[int, list[str]] = defaultdict(list)
    non_mesures: dict[int, dict[str, EtatDeMesure]] = defaultdict(dict)
    for changement, code, valeur in _liens_des_changements(
        ChangementVise.indicateurs.through, strategie, "indicateur", Indicateur
    ).values_list("changementvise_id", "indicateur__code", etat):
        indicateurs[changement].append(code)
        if valeur:
            non_mesures[changement][code] = EtatDeMesure(valeur)
    return indicateurs, non_mesures


def _liens_des_changements(lien, strategie, relation: str, modele):
    """Les lignes de la table de liaison `lien` des changements de `strategie`, dans l'ordre par
    défaut de `modele` (lié par `relation`)."""
    ordre = [
        f"-{relation}__{nom[1:]}" if nom.startswith("-") else f"{relation}__{nom}"
        for nom in modele._meta.ordering
    ]
    return lien.objects.filter(changementvise__strategie=strategie).order_by(*ordre)


def _par_changement(lien, strategie, relation: str, modele, champ: str) -> dict[int, list]:
    """Par la table de liaison `lien` des changements de `strategie` : changement (id) → `champ`
    de chaque `modele` lié (par `relation`), dans l'ordre par défaut du modèle. Une requête."""
    lignes = _liens_des_changements(lien, strategie, relation, modele).values_list(
        "changementvise_id", f"{relation}__{champ}"
    )
    par_changement: dict[int, list] = defaultdict(list)
    for changement, valeur in lignes:
        par_changement[changement].append(valeur)
    return par_changement


@dataclass
class IndicateurEntreQuartiers:
    indicateur: Indicateur
    filtre: Filtre
    series: list[SerieIndicateur]

    @property
    def en_texte(self) -> bool:
        """Un indicateur en texte se lit en tableaux de textes, sans petits multiples."""
        return not a_un_statut(self.indicateur.unite)


def indicateur_entre_quartiers(utilisateur, code: str, filtre: Filtre) -> IndicateurEntreQuartiers:
    """Un indicateur dans chaque quartier visible qui le suit (petits multiples)."""
    try:
        indicateur = Indicateur.objects.get(code=code, statut=StatutIndicateur.APPROUVE)
    except Indicateur.DoesNotExist as erreur:
        raise Http404(_("Indicateur introuvable.")) from erreur
    quartiers = list(
        quartiers_accessibles(utilisateur, Droit.VOIR)
        .filter(indicateurs_suivis__indicateur=indicateur, indicateurs_suivis__actif=True)
        .order_by("nom")
    )
    par_quartier = lire_series(quartiers, Filtre(periodes=filtre.periodes, indicateur=code))
    series = [s for q in quartiers for s in par_quartier[q.pk]]
    return IndicateurEntreQuartiers(indicateur, filtre, series)


# --- Bilans -------------------------------------------------------------------------------------


def indicateurs_des_calculs() -> dict[str, str]:
    """Calcul → code du premier indicateur approuvé du catalogue (par code) qui le porte : la
    page de l'indicateur entre les quartiers d'une mesure calculée. Une requête."""
    codes: dict[str, str] = {}
    for calcul, code in (
        Indicateur.objects.filter(mode=ModeCollecte.CALCULE, statut=StatutIndicateur.APPROUVE)
        .order_by("code")
        .values_list("calcul", "code")
    ):
        codes.setdefault(calcul, code)
    return codes


def bilans_accessibles(utilisateur):
    """Les bilans des quartiers visibles; ceux de tout le PIC pour l'évaluation et
    l'administration seulement."""
    from django.db.models import Q

    from quartiers.acces import peut_generer_bilan_pic
    from rapports.models import Bilan, Portee

    visibles = Q(quartier__in=quartiers_accessibles(utilisateur, Droit.VOIR))
    if peut_generer_bilan_pic(utilisateur):
        visibles |= Q(portee=Portee.PIC)
    return Bilan.objects.filter(visibles).select_related("quartier", "demande_par")


def bilan_accessible_ou_404(utilisateur, pk: int):
    from rapports.models import Bilan

    try:
        return bilans_accessibles(utilisateur).get(pk=pk)
    except Bilan.DoesNotExist as erreur:
        raise Http404(_("Bilan introuvable.")) from erreur
