"""Lectures composées de la saisie trimestrielle : boîte de la coordination, formulaire, file de
révision, complétude et historique. Chacune part du sélecteur d'accès et fait un nombre de
requêtes qui ne dépend pas du volume de données."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evalpic.nombres import pour_cent_entier
from indicateurs.calculs import indicateurs_calcules
from indicateurs.models import (
    Apprentissage,
    ChangementVise,
    Cible,
    EvenementSaisie,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    Saisie,
    StatutIndicateur,
    StatutPeriode,
    StatutSaisie,
    StatutStrategie,
    StrategieDeChangement,
    Valeur,
)
from indicateurs.models.catalogue import suivi_a_saisir
from indicateurs.models.saisies import STATUTS_PUBLIES, valeur_renseignee
from indicateurs.validation import signaler_aberration
from quartiers.acces import Droit, quartier_accessible_ou_404, quartiers_accessibles
from quartiers.models import Quartier, TableDeQuartier

NB_VALEURS_DE_CONTEXTE = 4
LONGUEUR_TEXTE_DE_CONTEXTE = 60  # un texte précédent, raccourci à côté du champ


# --- Périodes -----------------------------------------------------------------------------------


def periode_par_code(code: str) -> Periode:
    """« 2025-T2 » → la période, sinon 404."""
    periode = Periode.objects.par_code(code)
    if periode is None:
        raise Http404(_("Période introuvable."))
    return periode


# --- Boîte de la coordination -------------------------------------------------------------------


class Etat:
    A_FAIRE = "a_faire"
    EN_RETARD = "en_retard"
    BROUILLON = StatutSaisie.BROUILLON
    SOUMISE = StatutSaisie.SOUMISE
    RENVOYEE = StatutSaisie.RENVOYEE
    VALIDEE = StatutSaisie.VALIDEE

    LIBELLES = {
        "a_faire": _("à faire"),
        "en_retard": _("en retard"),
        "brouillon": _("brouillon"),
        "soumise": _("soumise"),
        "renvoyee": _("renvoyée"),
        "validee": _("validée"),
    }


def etat_de(
    saisie: Saisie | None, periode: Periode, aujourd_hui: datetime.date | None = None
) -> str:
    """L'état à afficher (boîte, formulaire, complétude) : le statut de la saisie, sauf « à
    faire » ou « en retard » tant qu'elle n'est ni soumise ni validée."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    statut = saisie.statut if saisie else None
    if statut in (StatutSaisie.SOUMISE, StatutSaisie.VALIDEE, StatutSaisie.RENVOYEE):
        return statut
    if aujourd_hui > periode.echeance:
        return Etat.EN_RETARD
    return statut or Etat.A_FAIRE


@dataclass
class LigneBoite:
    table: TableDeQuartier
    periode: Periode
    saisie: Saisie | None
    etat: str

    @property
    def libelle_etat(self) -> str:
        return str(Etat.LIBELLES[self.etat])


def boite_de_saisie(utilisateur, aujourd_hui: datetime.date | None = None) -> list[LigneBoite]:
    """Pour chaque table que la personne saisit, chaque période ouverte, ou fermée avec une saisie
    déjà commencée, de la plus urgente à la plus ancienne : ouverte ou fermée ce jour-là
    (`Periode.statut_du_jour`), comme le formulaire où mène chaque ligne."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    tables = list(
        TableDeQuartier.objects.filter(
            quartier__in=quartiers_accessibles(utilisateur, Droit.SAISIR)
        ).select_related("quartier")
    )
    periodes = Periode.objects.commencees_ce_jour(aujourd_hui)[:8]
    saisies = {
        (s.table_id, s.periode_id): s
        for s in Saisie.objects.filter(table__in=tables, periode__in=periodes)
    }
    lignes = []
    for table in tables:
        for periode in periodes:
            saisie = saisies.get((table.pk, periode.pk))
            if saisie is None and periode.statut_du_jour(aujourd_hui) == StatutPeriode.FERMEE:
                continue
            lignes.append(LigneBoite(table, periode, saisie, etat_de(saisie, periode, aujourd_hui)))
    return lignes


def file_de_revision(utilisateur) -> QuerySet[Saisie]:
    """Les saisies soumises que la personne peut valider, les plus anciennes d'abord."""
    return (
        Saisie.objects.filter(
            statut=StatutSaisie.SOUMISE,
            table__quartier__in=quartiers_accessibles(utilisateur, Droit.VALIDER),
        )
        .select_related("table__quartier", "periode", "soumise_par")
        .order_by("soumise_le")
    )


# --- Le formulaire ------------------------------------------------------------------------------


@dataclass
class LigneFormulaire:
    """Un indicateur suivi, avec tout ce qu'il faut pour le saisir en contexte."""

    suivi: IndicateurSuivi
    valeur: Valeur | None = None
    cible: Decimal | None = None
    # Un nombre, ou un texte (raccourci) pour un indicateur en texte; None : pas de valeur.
    precedentes: list[tuple[str, Decimal | str | None]] = field(default_factory=list)
    calculee: Decimal | None = None
    # La valeur enregistrée est inhabituelle (`signaler_aberration`) : le message, sinon None.
    avertissement: str | None = None

    @property
    def indicateur(self):
        return self.suivi.indicateur


@dataclass
class GroupeFormulaire:
    changement: ChangementVise | None
    lignes: list[LigneFormulaire]


@dataclass
class PageSaisie:
    quartier: Quartier
    periode: Periode
    saisie: Saisie | None
    groupes: list[GroupeFormulaire]
    apprentissages: list[Apprentissage]

    @property
    def lignes(self) -> list[LigneFormulaire]:
        return [ligne for groupe in self.groupes for ligne in groupe.lignes]


def quartier_et_table(utilisateur, slug: str, droit: Droit = Droit.VOIR) -> Quartier:
    """Le quartier (avec sa table) si la personne y a `droit`, sinon 404. 404 aussi pour un
    quartier encore sans table (l'admin le permet) : on saisit et on importe par table."""
    quartier = quartier_accessible_ou_404(utilisateur, slug, droit)
    # Table absente : l'accès lève RelatedObjectDoesNotExist, une AttributeError.
    if not hasattr(quartier, "table"):
        raise Http404(_("Ce quartier n'a pas de table."))
    return quartier


def saisie_ou_404(quartier: Quartier, periode: Periode) -> Saisie:
    try:
        return Saisie.objects.select_related("table__quartier", "periode").get(
            table=quartier.table, periode=periode
        )
    except Saisie.DoesNotExist as erreur:
        raise Http404(_("Saisie introuvable.")) from erreur


def page_de_saisie(quartier: Quartier, periode: Periode) -> PageSaisie:
    """Les indicateurs suivis du quartier groupés par changement visé (stratégie en vigueur),
    avec valeur actuelle, cible de la période, quatre dernières valeurs et, pour les indicateurs
    calculés, la valeur tirée du registre."""
    table = quartier.table
    saisie = Saisie.objects.filter(table=table, periode=periode).first()
    suivis = list(
        IndicateurSuivi.objects.filter(
            quartier=quartier, actif=True, indicateur__statut=StatutIndicateur.APPROUVE
        )
        .select_related("indicateur")
        # La cible de la période seulement (une par suivi au plus) : toutes les cibles des
        # quarante trimestres des données d'échelle, c'était ~1 200 instances par page.
        .prefetch_related(
            Prefetch(
                "cibles", queryset=Cible.objects.filter(periode=periode), to_attr="cibles_lues"
            )
        )
        .order_by("indicateur__famille", "indicateur__code")
    )
    lignes = {s.indicateur_id: LigneFormulaire(suivi=s) for s in suivis}
    _completer_lignes(lignes, table, periode, saisie)
    calculees = indicateurs_calcules(quartier, periode.debut, periode.fin)
    for ligne in lignes.values():
        if ligne.indicateur.mode == ModeCollecte.CALCULE:
            ligne.calculee = calculees.get(ligne.indicateur.calcul)
    apprentissages = list(
        Apprentissage.objects.filter(quartier=quartier, periode=periode).select_related("auteur")
    )
    return PageSaisie(quartier, periode, saisie, _grouper(quartier, lignes), apprentissages)


def _completer_lignes(lignes: dict, table, periode: Periode, saisie: Saisie | None) -> None:
    if saisie:
        for valeur in saisie.valeurs.all():
            if valeur.indicateur_id in lignes:
                lignes[valeur.indicateur_id].valeur = valeur
    for ligne in lignes.values():
        ligne.cible = next(
            (c.valeur for c in ligne.suivi.cibles_lues if c.periode_id == periode.pk), None
        )
    # Les quatre dernières valeurs de chaque indicateur, choisies par la base (ROW_NUMBER) : lire
    # tout l'historique pour en garder quatre coûtait l'essentiel de la page sur 40 trimestres.
    rang = Window(
        RowNumber(), partition_by=F("indicateur_id"), order_by=F("saisie__periode__debut").desc()
    )
    precedentes = (
        Valeur.objects.filter(
            saisie__table=table,
            saisie__periode__debut__lt=periode.debut,
            indicateur_id__in=list(lignes),
        )
        .annotate(rang=rang)
        .filter(rang__lte=NB_VALEURS_DE_CONTEXTE)
        .order_by("-saisie__periode__debut")
        # En tuples : ~500 valeurs, chacune avec sa saisie et sa période, par page.
        .values_list(
            "indicateur_id",
            "saisie__periode__annee",
            "saisie__periode__trimestre",
            "valeur_numerique",
            "valeur_texte",
        )
    )
    for indicateur_id, annee, trimestre, numerique, texte in precedentes:
        libelle = Periode(annee=annee, trimestre=trimestre).libelle
        lignes[indicateur_id].precedentes.insert(
            0, (libelle, _valeur_de_contexte(numerique, texte))
        )
    _signaler_les_aberrations(lignes, table, periode)


def _valeur_de_contexte(numerique: Decimal | None, texte: str) -> Decimal | str | None:
    if numerique is not None:
        return numerique
    texte = " ".join(texte.split())
    if len(texte) > LONGUEUR_TEXTE_DE_CONTEXTE:
        texte = texte[: LONGUEUR_TEXTE_DE_CONTEXTE - 1].rstrip() + "…"
    return texte or None


def _signaler_les_aberrations(lignes: dict, table, periode: Periode) -> None:
    """L'avertissement de chaque valeur enregistrée inhabituelle, à écrire à côté de son champ :
    la règle et la série de l'enregistrement et de la soumission (une requête, s'il y a des
    valeurs)."""
    numeriques = {
        pk: ligne.valeur.valeur_numerique
        for pk, ligne in lignes.items()
        if ligne.valeur is not None and ligne.valeur.valeur_numerique is not None
    }
    if not numeriques:
        return
    series = Valeur.objects.series_precedentes(table, periode, numeriques)
    for pk, valeur in numeriques.items():
        lignes[pk].avertissement = signaler_aberration(series.get(pk, []), valeur)


def _grouper(quartier: Quartier, lignes: dict[int, LigneFormulaire]) -> list[GroupeFormulaire]:
    changements = ChangementVise.objects.filter(
        strategie__quartier=quartier, strategie__statut=StatutStrategie.EN_VIGUEUR
    ).prefetch_related("indicateurs")
    groupes, places = [], set()
    for changement in changements:
        membres = [lignes[i.pk] for i in changement.indicateurs.all() if i.pk in lignes]
        membres = [m for m in membres if m.indicateur.pk not in places]
        places.update(m.indicateur.pk for m in membres)
        if membres:
            groupes.append(GroupeFormulaire(changement, membres))
    autres = [ligne for pk, ligne in lignes.items() if pk not in places]
    if autres:
        groupes.append(GroupeFormulaire(None, autres))
    return groupes


# --- Historique et complétude -------------------------------------------------------------------


def historique(saisie: Saisie) -> QuerySet[EvenementSaisie]:
    return saisie.evenements.select_related("auteur", "indicateur")


def attendus_aujourd_hui(quartier_ids: list[int]) -> QuerySet[IndicateurSuivi]:
    """Les suivis que les tables des quartiers `quartier_ids` saisissent aujourd'hui
    (`suivi_a_saisir`) : ce qu'attend un trimestre où rien n'est transmis, ou transmis avant que
    la soumission note ce qui était demandé (`comptes_de_completude`,
    `rapports.instantane._completudes`)."""
    return IndicateurSuivi.objects.filter(quartier_id__in=quartier_ids).a_saisir()


def valeurs_de_completude(quartier_ids: list[int], periodes: list[Periode]) -> QuerySet[Valeur]:
    """Les valeurs que la complétude compte (`comptes_de_completude`,
    `rapports.instantane._completudes`) : celles des saisies publiées (soumises ou validées,
    `Valeur.objects.publiees()`) des quartiers `quartier_ids` pour `periodes`, dont
    l'indicateur est encore suivi par le quartier — la valeur d'un suivi supprimé ne compte
    plus. Jointes au suivi (« indicateur__suivis__ ») pour qui veut en lire les champs."""
    # Jointe au suivi de son indicateur par le quartier (un au plus), comme la règle des suivis
    # du jour l'était : une valeur n'a été écrite que pour un indicateur suivi (la saisie le
    # vérifie), et la jointure se fait par hachage. Une corrélation (`Exists`) par valeur coûtait
    # dix fois plus sur les données du banc (1,3 s au lieu de 0,13 s).
    return Valeur.objects.publiees().filter(
        saisie__table__quartier_id__in=quartier_ids,
        saisie__periode__in=periodes,
        indicateur__suivis__quartier=F("saisie__table__quartier"),
    )


class CompteDeCompletude(NamedTuple):
    """Les valeurs attendues d'une table pour une période, et combien sont renseignées dans ce
    qu'elle a transmis."""

    renseignees: int
    attendues: int


def comptes_de_completude(
    quartiers: list[Quartier], periodes: list[Periode]
) -> dict[tuple[int, int], CompteDeCompletude]:
    """La règle, écrite une fois, de la complétude d'un trimestre, que la page de complétude
    (`completude`) et la carte de la vue d'ensemble (`rapports.lectures.parts_renseignees`)
    lisent ici, et que le bilan suit (`rapports.instantane._completudes`) : (quartier, période)
    → valeurs attendues, et combien sont renseignées (une valeur ou une absence expliquée) dans
    une saisie publiée (soumise ou validée, `Valeur.objects.publiees()`).

    Attendues : pour un trimestre transmis, ce que le formulaire demandait quand la saisie a été
    soumise (`Valeur.demandee`, noté par `services.soumettre_saisie`) — un indicateur suivi
    depuis ne fait pas baisser un trimestre validé à 100 %, un indicateur qui n'est plus saisi
    ne fait pas monter les trimestres d'avant. Pour un trimestre où rien n'est transmis, et pour
    une saisie soumise avant que la soumission le note (ses valeurs n'ont pas `demandee` : on ne
    sait plus ce qui était demandé), ce que la table saisit aujourd'hui (`suivi_a_saisir`) :
    rien de renseigné si rien n'a été transmis. Pas de compte (absent) quand rien n'est attendu :
    un quartier dont la table n'a rien à saisir ni rien transmis qui ait été demandé, ou qui n'a
    pas de table (les rappels n'en attendent rien non plus). Une valeur dont le suivi a été
    supprimé (l'administration le permet) ne compte plus, ni demandée ni renseignée, comme au
    bilan. Deux requêtes, quel que soit le volume."""
    aujourd_hui = dict(
        attendus_aujourd_hui([q.pk for q in quartiers])
        .values("quartier_id")
        .annotate(n=Count("pk"))
        .values_list("quartier_id", "n")
    )
    renseignee = valeur_renseignee()
    lignes = (
        valeurs_de_completude([q.pk for q in quartiers], periodes)
        .order_by()
        .values("saisie__table__quartier_id", "saisie__periode_id")
        .annotate(
            notees=Count("pk", filter=Q(demandee__isnull=False)),
            demandees=Count("pk", filter=Q(demandee=True)),
            renseignees_demandees=Count("pk", filter=Q(demandee=True) & renseignee),
            renseignees_aujourd_hui=Count(
                "pk", filter=renseignee & suivi_a_saisir("indicateur__suivis__")
            ),
        )
        .values_list(
            "saisie__table__quartier_id",
            "saisie__periode_id",
            "notees",
            "demandees",
            "renseignees_demandees",
            "renseignees_aujourd_hui",
        )
    )
    transmises: dict[tuple[int, int], CompteDeCompletude] = {}
    for q, p, notees, demandees, renseignees_demandees, renseignees_aujourd_hui in lignes:
        if notees:
            transmises[(q, p)] = CompteDeCompletude(renseignees_demandees, demandees)
        elif aujourd_hui.get(q):
            transmises[(q, p)] = CompteDeCompletude(renseignees_aujourd_hui, aujourd_hui[q])
    comptes = {}
    for q in quartiers:
        for p in periodes:
            compte = transmises.get((q.pk, p.pk), CompteDeCompletude(0, aujourd_hui.get(q.pk, 0)))
            if compte.attendues:
                comptes[(q.pk, p.pk)] = compte
    return comptes


@dataclass
class LigneCompletude:
    """Une table pour une période. `attendues` et `renseignees` suivent la règle de la carte de
    la vue d'ensemble et des bilans (`comptes_de_completude`) : seules les valeurs transmises
    (saisie soumise ou validée, `STATUTS_PUBLIES`) comptent, et un trimestre transmis attend ce
    que son formulaire demandait à la soumission. `en_cours` compte les valeurs renseignées d'une
    saisie encore en brouillon ou renvoyée, parmi celles que la table saisit aujourd'hui, que la
    page montre à part pour suivre l'avancement."""

    table: TableDeQuartier
    saisie: Saisie | None
    etat: str
    attendues: int
    renseignees: int
    en_cours: int = 0

    @property
    def part(self) -> int:
        if not self.attendues:
            return 0
        return pour_cent_entier(Decimal(100 * self.renseignees) / Decimal(self.attendues))

    @property
    def libelle_etat(self) -> str:
        return str(Etat.LIBELLES[self.etat])


def completude(utilisateur, periode: Periode) -> list[LigneCompletude]:
    """Pour chaque table visible : l'état de sa saisie, ses valeurs attendues et combien sont
    transmises (`comptes_de_completude`, la règle de la carte de la vue d'ensemble : un trimestre
    transmis attend ce que son formulaire demandait) et, pour une saisie en brouillon ou
    renvoyée, les valeurs déjà renseignées mais non transmises. Quatre requêtes, quel que soit le
    nombre de tables et de valeurs : les tables, les saisies de la période, puis les deux de
    `comptes_de_completude`."""
    quartiers = quartiers_accessibles(utilisateur, Droit.VALIDER)
    tables = list(
        TableDeQuartier.objects.filter(quartier__in=quartiers)
        .select_related("quartier")
        .order_by("quartier__nom")
    )
    # En cours : les valeurs renseignées d'un brouillon ou d'une saisie renvoyée, parmi celles
    # que la table saisit aujourd'hui (ce que son formulaire demande).
    renseignee = valeur_renseignee("valeurs__") & suivi_a_saisir("valeurs__indicateur__suivis__")
    renseignee &= Q(valeurs__indicateur__suivis__quartier=F("table__quartier"))
    saisies = {
        s.table_id: s
        for s in Saisie.objects.filter(periode=periode, table__in=tables).annotate(
            renseignees=Count("valeurs", filter=renseignee, distinct=True)
        )
    }
    comptes = comptes_de_completude([table.quartier for table in tables], [periode])
    aujourd_hui = timezone.localdate()
    lignes = []
    for table in tables:
        saisie = saisies.get(table.pk)
        compte = comptes.get((table.quartier_id, periode.pk), CompteDeCompletude(0, 0))
        # Une saisie par table et période : ses valeurs sont toutes transmises (soumise,
        # validée, comme `Valeur.objects.publiees()`) ou toutes en cours.
        transmise = saisie is not None and saisie.statut in STATUTS_PUBLIES
        lignes.append(
            LigneCompletude(
                table=table,
                saisie=saisie,
                etat=etat_de(saisie, periode, aujourd_hui),
                attendues=compte.attendues,
                renseignees=compte.renseignees,
                en_cours=saisie.renseignees if saisie and not transmise else 0,
            )
        )
    return lignes


def apprentissages_du_quartier(
    quartier, *, periode: Periode | None = None, categorie: str = ""
) -> list[Apprentissage]:
    """Les apprentissages de `quartier`, publiés ou non (`Apprentissage.est_publie`), filtrés
    au besoin, avec leur période, auteur·e, indicateur, changement visé et saisie : une
    requête. La liste des apprentissages (`views_apprentissages`) les montre."""
    lignes = Apprentissage.objects.filter(quartier=quartier).select_related(
        "periode", "auteur", "indicateur", "changement", "saisie"
    )
    if periode is not None:
        lignes = lignes.filter(periode=periode)
    if categorie:
        lignes = lignes.filter(categorie=categorie)
    return list(lignes.order_by("-periode__debut", "created_at", "pk"))


# --- Stratégies de changement -------------------------------------------------------------------


class StrategieALaDate(NamedTuple):
    """La version de la stratégie d'un quartier qui vaut à une date (`strategies_au`) :
    `retenue`, celle qui était en vigueur ce jour-là (None si le quartier n'a aucune version
    adoptée ou archivée); `par_defaut`, vrai quand aucune n'avait de date d'adoption au plus
    tard ce jour-là et que `retenue` est la plus ancienne; `en_vigueur`, celle qui l'est
    aujourd'hui (None s'il n'y en a pas)."""

    retenue: StrategieDeChangement | None
    par_defaut: bool
    en_vigueur: StrategieDeChangement | None


def version_au(
    versions: list[StrategieDeChangement], jour: datetime.date
) -> tuple[StrategieDeChangement | None, bool]:
    """La version en vigueur le `jour` parmi les `versions` d'un quartier, et si elle l'est par
    défaut. La règle : la dernière adoptée au plus tard ce jour-là (par `adoptee_le`, puis par
    numéro), quel que soit son statut aujourd'hui — une version archivée garde sa date; un
    brouillon n'a jamais été en vigueur. Si aucune n'a de date d'adoption au plus tard ce
    jour-là (adoptée après, ou sans date), la plus ancienne (par numéro), par défaut."""
    adoptees = [v for v in versions if v.statut != StatutStrategie.BROUILLON]
    datees = [v for v in adoptees if v.adoptee_le is not None and v.adoptee_le <= jour]
    if datees:
        return max(datees, key=lambda v: (v.adoptee_le, v.version)), False
    if adoptees:
        return min(adoptees, key=lambda v: v.version), True
    return None, False


def strategies_au(quartier_ids: list[int], jour: datetime.date) -> dict[int, StrategieALaDate]:
    """Par quartier, la version de sa stratégie en vigueur le `jour` (`version_au`) et celle en
    vigueur aujourd'hui : le bilan d'une période la lit avec celle de la fin de sa période
    (`rapports.instantane`). Une requête, quel que soit le nombre de quartiers."""
    versions: dict[int, list[StrategieDeChangement]] = {pk: [] for pk in quartier_ids}
    for strategie in StrategieDeChangement.objects.filter(quartier_id__in=quartier_ids).order_by(
        "quartier_id", "version"
    ):
        versions[strategie.quartier_id].append(strategie)
    resultat = {}
    for pk, liste in versions.items():
        retenue, par_defaut = version_au(liste, jour)
        en_vigueur = next((v for v in liste if v.statut == StatutStrategie.EN_VIGUEUR), None)
        resultat[pk] = StrategieALaDate(retenue, par_defaut, en_vigueur)
    return resultat
