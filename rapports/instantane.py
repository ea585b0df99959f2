"""L'instantané d'un bilan : tout ce que le bilan montre, lu une fois et figé en JSON (nombres
en texte décimal exact), avec sa somme de contrôle. Les fichiers du bilan (HTML, PDF, XLSX,
CSV) se fabriquent à partir de l'instantané seul : les régénérer redonne les mêmes chiffres.

Forme (format 2) :
    {"format": 2, "generateur": "…", "portee": "quartier" | "pic", "langue": "fr",
     "donnees_au": "2026-07-15T14:03:12-04:00",
     "periode": {"annee", "trimestre" | null, "code", "libelle", "debut", "fin", "fenetre": [codes]},
     "indicateurs": {code: {"nom", "definition", "unite", "polarite", "famille", "source", "mode",
                            "agregation"?}},
     "registre": {"depart": {...}, "fin": {...}, "quartiers"?, "sans"?: [{"nom", "debut"}]}
                 | null,
     "strategies_au"?: "2025-12-31",
     "quartiers": [{"slug", "nom", "niveau_soutien", "table",
                    "strategie": {"version", "titre", "adoptee_le", "par_defaut"?,
                                  "en_vigueur_a_la_production"?: {"version", "titre",
                                                                  "adoptee_le"} | null} | null,
                    "changements": [{"code", "libelle", "horizon", "famille", "indicateurs"}],
                    "series": [{"code", "reference", "date_reference", "statut",
                                "points": [{"periode", "libelle", "valeur", "texte"?,
                                            "non_disponible"?, "raison"?}],
                                "cibles": [{"periode", "libelle", "valeur"}],
                                "reperes": [{"periode", "libelle", "categorie", "texte"}],
                                "valeur_de_periode"?: {"agregation", "valeur", "trimestres",
                                                       "sur", "derniere_periode", "annee"}}],
                    "apprentissages": {categorie: [texte, …]},
                    "completude": {"attendues", "renseignees", "validees",
                                   "non_disponibles"?, "manquantes": [...],
                                   "periode"?: {mêmes clés, sans « periode »}}}]}

« texte » n'est écrit que pour le point d'un indicateur en texte qui en a un (depuis
evalpic-bilan-1.2) : les instantanés d'avant, sans cette clé, se lisent pareil (leurs textes
étaient perdus) et ceux des indicateurs chiffrés ne changent pas d'un octet.

Depuis evalpic-bilan-1.3, une série sans cible dans la fenêtre (jusqu'à un an après) garde dans
« cibles » la dernière d'avant, qui décide de son statut (`lectures._cibles`) : le statut ne
dépend plus de la longueur de la fenêtre; et un indicateur calculé a des points nuls (null,
inconnus) avant le début du registre au lieu de 0 (`lectures.mesures_du_registre`). Même forme :
les instantanés d'avant se lisent pareil et gardent le statut figé qu'ils disaient.

Depuis evalpic-bilan-1.4, le point d'une valeur « non disponible » porte `"non_disponible": true`
et la raison donnée par la table (`"raison"`), et la complétude compte ces absences expliquées
parmi les valeurs présentes (`"non_disponibles"`). Les clés n'existent que là : les autres points
ne changent pas d'un octet, et un instantané d'avant se lit pareil (un tiret, comme alors; la
complétude dit « — » pour ce qu'elle ne comptait pas).

Depuis evalpic-bilan-1.5, « donnees_au » fige le moment où le bilan a lu la base (le début de sa
production, `Bilan.debut_generation`, à l'heure de Montréal, à la seconde) : le bilan l'écrit
(« Données au … », couverture, méthodologie, métadonnées du PDF, « À propos » du classeur), et
le régénérer depuis l'instantané redonne cette date, pas celle du jour. Un instantané d'avant n'a
pas cette clé : ses fichiers se refont sans elle, comme alors.

Depuis evalpic-bilan-1.6 :
- une série porte aussi la première cible à venir au-delà d'un an après la fenêtre (la cible de
  fin d'un plan de cinq ans), qui décide de son statut (`lectures._cibles`; la tendance se
  projette jusqu'à son échéance, `statuts.valeur_projetee`);
- la complétude compte, pour un trimestre transmis, ce que le formulaire demandait à la
  soumission (`Valeur.demandee`), et non les suivis du jour de la production; elle a, sous
  « periode », celle des seuls trimestres de la période du bilan, en plus de celle de la
  fenêtre;
- le registre du PIC compare à quartiers égaux : un quartier dont le registre commence après la
  fenêtre de départ n'est compté ni au départ ni à la fin; « quartiers » compte ceux qui sont
  comparés et « sans » nomme les autres (nom, début du registre), clés présentes seulement quand
  il en manque.
Les instantanés d'avant se lisent pareil : la complétude sans « periode » n'a que la ligne de la
fenêtre, un registre sans « sans » compte tous ses quartiers, comme alors.

Depuis evalpic-bilan-1.7, chaque quartier est lu avec la version de sa stratégie en vigueur à la
fin de la période du bilan, « strategies_au » (`indicateurs.selectors.strategies_au` : la
dernière adoptée à cette date, même archivée depuis), et non avec celle en vigueur le jour de la
production : ses changements visés regroupent les indicateurs. « par_defaut » dit qu'aucune
version n'avait de date d'adoption au plus tard ce jour-là (la plus ancienne est lue), et
« en_vigueur_a_la_production » nomme celle qui était en vigueur à la production quand ce n'est
pas la même; la méthodologie le dit. Un instantané d'avant, sans « strategies_au », lisait la
version en vigueur à sa production : il se rend en le disant, comme alors.

Depuis evalpic-bilan-1.8, chaque indicateur du catalogue porte son agrégation dans le temps
(« agregation » : somme, moyenne, derniere, cumul), et chaque série chiffrée la valeur de la
période du bilan selon cette agrégation (« valeur_de_periode », `indicateurs.agregation` : son
trimestre, ou les quatre trimestres de son année), avec les trimestres de la période qui ont
une valeur (« trimestres ») sur ceux de la période (« sur »), le plus récent d'entre eux et
l'année d'une période annuelle. Pour un cumul, elle compte aussi les valeurs publiées avant la
fenêtre des courbes (`_totaux_avant_la_fenetre`). La clé manque pour un indicateur en texte,
une période sans aucune valeur, et un indicateur calculé cumulé (le registre d'avant la
fenêtre n'est pas lu; il n'y en a aucun au référentiel). Un instantané d'avant n'a ni l'une ni
l'autre clé : ses fichiers se refont sans valeur de la période, comme alors. Les statuts
restent jugés sur les valeurs trimestrielles.

Le registre (partenaires et actions) est celui de la portée du bilan : le quartier, ou l'union
des participations et des actions des quartiers du PIC (un partenaire présent dans deux quartiers
compte une fois). « depart » et « fin » le mesurent sur deux fenêtres de même longueur, chacune
avec ses bornes et son libellé (`Intervalle`). Le format 1 gardait un registre par quartier,
mesuré sur toute la première année et sur la période du bilan.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicateurs.agregation import trimestres_de_l_annee, valeur_de_periode
from indicateurs.calculs import calculer, couvert_par_le_registre, debut_du_registre
from indicateurs.models import (
    Agregation,
    Apprentissage,
    CategorieApprentissage,
    ChangementVise,
    Indicateur,
    ModeCollecte,
    Periode,
    StatutPeriode,
    StatutSaisie,
    StrategieDeChangement,
    Unite,
    Valeur,
)
from indicateurs.models.saisies import annee_et_trimestre, valeur_renseignee
from indicateurs.periodes import bornes_du_trimestre
from indicateurs.selectors import attendus_aujourd_hui, strategies_au, valeurs_de_completude
from quartiers.models import Quartier
from rapports.csv import texte_decimal
from rapports.lectures import Filtre, lire_registres, lire_series
from rapports.models import Bilan
from rapports.series import SerieIndicateur
from rapports.statuts import libelle_trimestre, statut

FORMAT = 2
VERSION_GENERATEUR = "evalpic-bilan-1.8"
FENETRE_TRIMESTRIELLE = 8  # trimestres montrés dans un bilan trimestriel
FENETRE_ANNUELLE = 12


def somme_de_controle(instantane: dict) -> str:
    """SHA-256 du JSON canonique (clés triées, sans espaces)."""
    texte = json.dumps(instantane, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def _texte(nombre: Decimal | None) -> str | None:
    return None if nombre is None else texte_decimal(nombre)


def bornes(bilan: Bilan) -> tuple[datetime.date, datetime.date]:
    if bilan.trimestre:
        return bornes_du_trimestre(bilan.annee, bilan.trimestre)
    return datetime.date(bilan.annee, 1, 1), datetime.date(bilan.annee, 12, 31)


def fenetre(bilan: Bilan) -> list[Periode]:
    """Les trimestres montrés : les 8 (ou 12 pour une année) qui finissent avec la période."""
    _debut, fin = bornes(bilan)
    taille = FENETRE_TRIMESTRIELLE if bilan.trimestre else FENETRE_ANNUELLE
    periodes = Periode.objects.filter(fin__lte=fin).exclude(statut=StatutPeriode.A_VENIR)
    return list(reversed(periodes.order_by("-debut")[:taille]))


def construire_instantane(bilan: Bilan) -> dict:
    """Lit la base et fige tout ce que le bilan montrera, dans la langue du bilan."""
    with translation.override(bilan.langue):
        periodes = fenetre(bilan)
        quartiers = [bilan.quartier] if bilan.quartier_id else _quartiers_du_pic()
        series = lire_series(quartiers, Filtre(periodes=tuple(periodes)))
        registre = _registre(lire_registres([q.pk for q in quartiers]), quartiers, bilan, periodes)
        debut, fin = bornes(bilan)
        codes = {s.code for liste in series.values() for s in liste}
        catalogue = _catalogue(codes)
        lectures = _lectures_par_quartier(
            quartiers, periodes, debut, fin, _periodes_du_bilan(bilan, periodes)
        )
        de_la_periode = _valeurs_de_la_periode(
            series, catalogue, periodes, trimestres_du_bilan(bilan)
        )
        return {
            "format": FORMAT,
            "generateur": VERSION_GENERATEUR,
            "portee": bilan.portee,
            "langue": bilan.langue,
            "donnees_au": donnees_au(bilan),
            "periode": {
                "annee": bilan.annee,
                "trimestre": bilan.trimestre,
                "code": bilan.code_periode,
                "libelle": bilan.libelle_periode,
                "debut": debut.isoformat(),
                "fin": fin.isoformat(),
                "fenetre": [p.code for p in periodes],
            },
            "indicateurs": catalogue,
            "registre": registre,
            "strategies_au": fin.isoformat(),
            "quartiers": [
                _quartier(q, series[q.pk], lectures[q.pk], de_la_periode) for q in quartiers
            ],
        }


def donnees_au(bilan: Bilan) -> str:
    """Le moment où le bilan lit la base, figé dans l'instantané : le début de sa production
    (`debut_generation`, posé quand un worker le réclame), à défaut sa création, à défaut
    maintenant (un bilan construit hors production, dans un test). Relire la base pour le même
    bilan redonne donc la même date. En ISO 8601 à l'heure locale, à la seconde."""
    moment = bilan.debut_generation or bilan.created_at or timezone.now()
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _quartiers_du_pic() -> list[Quartier]:
    """Les quartiers qui suivent au moins un indicateur, par ordre alphabétique."""
    return list(
        Quartier.objects.filter(indicateurs_suivis__actif=True)
        .select_related("table")
        .distinct()
        .order_by("nom")
    )


def _catalogue(codes: set[str]) -> dict:
    return {
        i.code: {
            "nom": i.nom,
            "definition": i.definition,
            "unite": i.unite,
            "polarite": i.polarite,
            "famille": str(i.get_famille_display()),
            "source": i.source_affichee,  # dans la langue du bilan, comme nom et definition
            "mode": i.mode,
            "agregation": i.agregation,  # depuis evalpic-bilan-1.8
        }
        for i in Indicateur.objects.filter(code__in=codes).order_by("code")
    }


@dataclass
class _LecturesDuQuartier:
    """Ce que l'instantané lit pour un quartier, lu pour tous les quartiers du bilan d'un coup :
    le même nombre de requêtes pour un quartier ou pour les 17 du PIC. `strategie` est la
    version en vigueur à la fin de la période du bilan (`indicateurs.selectors.strategies_au`),
    `par_defaut` si c'est la plus ancienne faute d'une version adoptée à cette date, et
    `en_vigueur` celle qui l'est à la production du bilan."""

    strategie: StrategieDeChangement | None = None
    par_defaut: bool = False
    en_vigueur: StrategieDeChangement | None = None
    changements: list[ChangementVise] = field(default_factory=list)
    apprentissages: list[Apprentissage] = field(default_factory=list)
    completude: dict = field(default_factory=dict)


def _lectures_par_quartier(
    quartiers, periodes, debut, fin, du_bilan: list[Periode]
) -> dict[int, _LecturesDuQuartier]:
    ids = [q.pk for q in quartiers]
    lectures = {pk: _LecturesDuQuartier() for pk in ids}
    # La version de la stratégie qui valait à la fin de la période, pas celle d'aujourd'hui :
    # ses changements visés regroupent les indicateurs du bilan (depuis evalpic-bilan-1.7).
    for pk, strategie in strategies_au(ids, fin).items():
        lectures[pk].strategie = strategie.retenue
        lectures[pk].par_defaut = strategie.par_defaut
        lectures[pk].en_vigueur = strategie.en_vigueur
    retenues = {lu.strategie.pk: lu for lu in lectures.values() if lu.strategie}
    changements = ChangementVise.objects.filter(strategie_id__in=retenues).prefetch_related(
        "indicateurs"
    )
    for changement in changements:
        retenues[changement.strategie_id].changements.append(changement)
    apprentissages = (
        Apprentissage.objects.publies()
        .filter(quartier_id__in=ids, periode__debut__gte=debut, periode__fin__lte=fin)
        .order_by("periode__debut", "pk")
    )
    for apprentissage in apprentissages:
        lectures[apprentissage.quartier_id].apprentissages.append(apprentissage)
    for pk, completude in _completudes(ids, periodes, du_bilan).items():
        lectures[pk].completude = completude
    return lectures


def trimestres_du_bilan(bilan: Bilan) -> tuple[str, ...]:
    """Les codes des trimestres de la période du bilan : son trimestre, ou les quatre de son
    année (ceux qui sont à venir ou hors de la fenêtre comptent, sans valeur : « 3 trimestres
    sur 4 »)."""
    if bilan.trimestre:
        return (f"{bilan.annee}-T{bilan.trimestre}",)
    return trimestres_de_l_annee(bilan.annee)


def _valeurs_de_la_periode(
    series: dict[int, list[SerieIndicateur]],
    catalogue: dict,
    periodes: list[Periode],
    du_bilan: tuple[str, ...],
) -> dict[tuple[int, str], dict]:
    """(quartier, indicateur) → la valeur de la période du bilan selon l'agrégation de
    l'indicateur (`indicateurs.agregation.valeur_de_periode`), à partir des valeurs publiées de
    la fenêtre (celles des points); pour un cumul, plus le total des valeurs publiées avant la
    fenêtre (`_totaux_avant_la_fenetre`, une requête pour toutes les séries, aucune sans cumul).
    Rien pour un indicateur en texte, une période sans valeur, ni un indicateur calculé cumulé :
    ses valeurs d'avant la fenêtre seraient à tirer du registre, que l'instantané ne relit pas."""
    cumuls = {
        code
        for code, fiche in catalogue.items()
        if fiche["agregation"] == Agregation.CUMUL
        and fiche["mode"] != ModeCollecte.CALCULE
        and fiche["unite"] != Unite.TEXTE
    }
    avant = _totaux_avant_la_fenetre(list(series), cumuls, periodes)
    resultat = {}
    for quartier_id, liste in series.items():
        for serie in liste:
            fiche = catalogue[serie.code]
            if fiche["agregation"] == Agregation.CUMUL and serie.code not in cumuls:
                continue
            valeur = valeur_de_periode(
                fiche["agregation"],
                {p.periode: p.valeur for p in serie.points},
                du_bilan,
                unite=serie.unite,
                avant=avant.get((quartier_id, serie.code), Decimal(0)),
            )
            if valeur is not None:
                resultat[(quartier_id, serie.code)] = {
                    "agregation": valeur.agregation,
                    "valeur": _texte(valeur.valeur),
                    "trimestres": valeur.trimestres,
                    "sur": valeur.sur,
                    "derniere_periode": valeur.derniere_periode,
                    "annee": valeur.annee,
                }
    return resultat


def _totaux_avant_la_fenetre(
    quartier_ids: list[int], codes: set[str], periodes: list[Periode]
) -> dict[tuple[int, str], Decimal]:
    """(quartier, indicateur) → le total des valeurs publiées (saisies soumises ou validées,
    comme les points : `lectures._valeurs`) des trimestres d'avant la fenêtre, pour les
    indicateurs cumulés `codes`. Une requête agrégée pour tous les quartiers, aucune s'il n'y a
    pas de cumul ou pas de fenêtre."""
    if not codes or not periodes or not quartier_ids:
        return {}
    lignes = (
        Valeur.objects.publiees()
        .filter(
            saisie__table__quartier_id__in=quartier_ids,
            indicateur__code__in=codes,
            saisie__periode__debut__lt=periodes[0].debut,
            valeur_numerique__isnull=False,
        )
        .order_by()
        .values("saisie__table__quartier_id", "indicateur__code")
        .annotate(total=Sum("valeur_numerique"))
        .values_list("saisie__table__quartier_id", "indicateur__code", "total")
    )
    return {(quartier_id, code): total for quartier_id, code, total in lignes}


def _quartier(quartier, series, lectures: _LecturesDuQuartier, de_la_periode: dict) -> dict:
    return {
        "slug": quartier.slug,
        "nom": quartier.nom,
        "niveau_soutien": str(quartier.get_niveau_soutien_display()),
        "table": getattr(getattr(quartier, "table", None), "nom", ""),
        "strategie": _strategie_retenue(lectures),
        "changements": _changements(lectures.changements),
        "series": [_serie(s, de_la_periode.get((quartier.pk, s.code))) for s in series],
        "apprentissages": _apprentissages(lectures.apprentissages),
        "completude": lectures.completude,
    }


def _strategie(strategie: StrategieDeChangement | None) -> dict | None:
    if strategie is None:
        return None
    return {
        "version": strategie.version,
        "titre": strategie.titre,
        "adoptee_le": strategie.adoptee_le.isoformat() if strategie.adoptee_le else None,
    }


def _strategie_retenue(lectures: _LecturesDuQuartier) -> dict | None:
    """La version en vigueur à la fin de la période; « par_defaut » quand c'est la plus ancienne
    faute d'une version adoptée à cette date, « en_vigueur_a_la_production » (null s'il n'y en a
    aucune) quand ce n'est pas celle en vigueur à la production du bilan. Ces deux clés
    n'existent que là."""
    strategie = _strategie(lectures.strategie)
    if strategie is None:
        return None
    if lectures.par_defaut:
        strategie["par_defaut"] = True
    if lectures.en_vigueur != lectures.strategie:
        strategie["en_vigueur_a_la_production"] = _strategie(lectures.en_vigueur)
    return strategie


def _changements(changements: list[ChangementVise]) -> list[dict]:
    return [
        {
            "code": c.code,
            "libelle": c.libelle,
            "horizon": c.horizon,
            "famille": str(c.get_famille_display()),
            "indicateurs": sorted(i.code for i in c.indicateurs.all()),
        }
        for c in changements
    ]


def _serie(serie: SerieIndicateur, de_la_periode: dict | None = None) -> dict:
    donnees = {
        "code": serie.code,
        "reference": _texte(serie.reference),
        "date_reference": serie.date_reference.isoformat() if serie.date_reference else None,
        "statut": statut(serie).value,
        "points": [_point(p) for p in serie.points],
        "cibles": [
            {"periode": c.periode, "libelle": c.libelle, "valeur": _texte(c.valeur)}
            for c in serie.cibles
        ],
        "reperes": [r._asdict() for r in serie.reperes],
    }
    if de_la_periode is not None:  # depuis evalpic-bilan-1.8
        donnees["valeur_de_periode"] = de_la_periode
    return donnees


def _point(point) -> dict:
    """Un point : sa valeur en texte décimal, le texte d'un indicateur en texte s'il en a un,
    et, pour une valeur « non disponible », cette absence et sa raison (ces clés n'existent pas
    sinon : les points chiffrés restent ce qu'ils étaient)."""
    donnees = {"periode": point.periode, "libelle": point.libelle, "valeur": _texte(point.valeur)}
    if point.texte:
        donnees["texte"] = point.texte
    if point.non_disponible:
        donnees["non_disponible"] = True
        donnees["raison"] = point.raison
    return donnees


@dataclass(frozen=True)
class Intervalle:
    """Des trimestres consécutifs d'une même année civile : une fenêtre du registre."""

    annee: int
    premier: int
    dernier: int

    @property
    def debut(self) -> datetime.date:
        return bornes_du_trimestre(self.annee, self.premier)[0]

    @property
    def fin(self) -> datetime.date:
        return bornes_du_trimestre(self.annee, self.dernier)[1]

    @property
    def libelle(self) -> str:
        """« 2018 » (l'année entière), « T4 2018 » (un trimestre) ou « T1–T3 2018 »."""
        if (self.premier, self.dernier) == (1, 4):
            return str(self.annee)
        if self.premier == self.dernier:
            return libelle_trimestre(f"{self.annee}-T{self.premier}")
        return _("T%(premier)s–T%(dernier)s %(annee)s") % {
            "premier": self.premier,
            "dernier": self.dernier,
            "annee": self.annee,
        }

    def en(self, annee: int) -> Intervalle:
        """Les mêmes trimestres, une autre année : une fenêtre de même longueur."""
        return replace(self, annee=annee)


def _intervalle_du_bilan(bilan: Bilan, periodes: list[Periode]) -> Intervalle | None:
    """La fenêtre « fin » du registre : le trimestre du bilan, ou son année, arrêtée au dernier
    trimestre de la fenêtre de données (une année en cours ne compte pas ses trimestres à
    venir). None si la période du bilan n'a aucun trimestre de données."""
    premier, dernier = (bilan.trimestre, bilan.trimestre) if bilan.trimestre else (1, 4)
    if not periodes or (periodes[-1].annee, periodes[-1].trimestre) < (bilan.annee, premier):
        return None
    if periodes[-1].annee == bilan.annee:
        dernier = min(dernier, periodes[-1].trimestre)
    return Intervalle(bilan.annee, premier, dernier)


def _periodes_du_bilan(bilan: Bilan, periodes: list[Periode]) -> list[Periode]:
    """Les trimestres de la fenêtre qui sont dans la période du bilan (`_intervalle_du_bilan`) :
    son trimestre, ou ceux de son année; aucun si la fenêtre n'en a pas."""
    intervalle = _intervalle_du_bilan(bilan, periodes)
    if intervalle is None:
        return []
    return [p for p in periodes if p.debut >= intervalle.debut and p.fin <= intervalle.fin]


def _intervalle_de_depart(fin: Intervalle, premier_jour: datetime.date) -> Intervalle | None:
    """La fenêtre « départ » : les mêmes trimestres que `fin` (même longueur), la première année
    où le registre commencé le `premier_jour` les couvre (`couvert_par_le_registre`, la règle des
    indicateurs calculés des séries). None si cette année n'est pas
    antérieure à celle du bilan : il n'y a rien avant à quoi comparer."""
    annee = premier_jour.year
    if not couvert_par_le_registre(fin.en(annee).fin, premier_jour):
        annee += 1
    return fin.en(annee) if annee < fin.annee else None


def _registre(registres: dict, quartiers: list[Quartier], bilan: Bilan, periodes) -> dict | None:
    """Le registre de la portée du bilan (l'union des registres de ses quartiers), mesuré au
    départ et à la fin sur deux fenêtres de même longueur; None s'il n'y a rien à comparer.

    Le départ est la première fenêtre que couvre un registre (`_intervalle_de_depart`). À
    quartiers égaux : un quartier dont le registre commence après cette fenêtre n'y a rien
    (inconnu, pas zéro : `couvert_par_le_registre`), il n'est compté ni au départ ni à la fin —
    sinon le PIC « gagne » à la fin tous les partenaires d'un registre commencé plus tard. Ces
    quartiers sont nommés sous « sans » (avec le début de leur registre) et « quartiers »
    compte ceux qui sont comparés, seulement quand il en manque (depuis evalpic-bilan-1.6)."""
    fin = _intervalle_du_bilan(bilan, periodes)
    debuts = {q.pk: debut_du_registre(*registres[q.pk]) for q in quartiers}
    commences = [debut for debut in debuts.values() if debut is not None]
    if fin is None or not commences:
        return None
    depart = _intervalle_de_depart(fin, min(commences))
    if depart is None:
        return None
    compares = [q for q in quartiers if couvert_par_le_registre(depart.fin, debuts[q.pk])]
    participations = [p for q in compares for p in registres[q.pk][0]]
    actions = [a for q in compares for a in registres[q.pk][1]]
    registre = {
        cle: _mesures(participations, actions, intervalle)
        for cle, intervalle in (("depart", depart), ("fin", fin))
    }
    sans = [
        {"nom": q.nom, "debut": debuts[q.pk].isoformat()}
        for q in quartiers
        if debuts[q.pk] is not None and q not in compares
    ]
    if sans:
        registre |= {"quartiers": len(compares), "sans": sans}
    return registre


def _mesures(participations: list, actions: list, intervalle: Intervalle) -> dict:
    valeurs = calculer(participations, actions, intervalle.debut, intervalle.fin)
    return {
        "debut": intervalle.debut.isoformat(),
        "fin": intervalle.fin.isoformat(),
        "libelle": intervalle.libelle,
        **{cle: _texte(valeur) for cle, valeur in valeurs.items()},
    }


def _apprentissages(lignes: list[Apprentissage]) -> dict:
    par_categorie: dict[str, list[str]] = {c: [] for c in CategorieApprentissage.values}
    for apprentissage in lignes:
        par_categorie[apprentissage.categorie].append(apprentissage.texte)
    return par_categorie


def lignes_de_completude(instantane: dict, quartier: dict) -> list[tuple[str, dict]]:
    """Les lignes de la complétude d'un quartier du bilan, chacune (libellé, complétude) : la
    période du bilan (depuis evalpic-bilan-1.6), puis la fenêtre des données, nommée par ses
    trimestres. Un instantané d'avant n'a que la fenêtre. Les libellés sont dans la langue
    active : la page, le PDF et le classeur du bilan les écrivent dans la sienne."""
    completude = quartier.get("completude") or {}
    lignes = []
    if "periode" in completude:
        lignes.append((_libelle_de_la_periode_du_bilan(instantane), completude["periode"]))
    lignes.append((_libelle_de_la_fenetre(instantane), completude))
    return lignes


def _libelle_de_la_periode_du_bilan(instantane: dict) -> str:
    """« Période du bilan (T3 2026) », « (2025) », ou « (T1–T3 2026) » pour une année dont la
    fenêtre n'a pas encore tous les trimestres : ceux qui sont comptés."""
    periode = instantane["periode"]
    annee, trimestre = periode["annee"], periode.get("trimestre")
    rangs = [
        rang
        for annee_du_code, rang in filter(None, map(annee_et_trimestre, periode.get("fenetre", [])))
        if annee_du_code == annee and (not trimestre or rang == trimestre)
    ]
    libelle = Intervalle(annee, min(rangs), max(rangs)).libelle if rangs else periode["libelle"]
    return _("Période du bilan (%(periode)s)") % {"periode": libelle}


def _libelle_de_la_fenetre(instantane: dict) -> str:
    """« Fenêtre des données (T4 2024 à T3 2026, 8 trimestres) » : les trimestres des courbes."""
    codes = instantane["periode"].get("fenetre") or []
    if not codes:
        return _("Fenêtre des données")
    return ngettext(
        "Fenêtre des données (%(debut)s à %(fin)s, %(n)s trimestre)",
        "Fenêtre des données (%(debut)s à %(fin)s, %(n)s trimestres)",
        len(codes),
    ) % {
        "debut": libelle_trimestre(codes[0]),
        "fin": libelle_trimestre(codes[-1]),
        "n": len(codes),
    }


def _completudes(
    quartier_ids: list[int], periodes: list[Periode], du_bilan: Sequence[Periode] = ()
) -> dict[int, dict]:
    """Par quartier : valeurs attendues, présentes (dont validées, dont « non disponible » avec
    leur raison) sur la fenêtre, et ce qui manque; et de même, sous « periode », sur les seuls
    trimestres de la période du bilan (`du_bilan` : son trimestre, ou ceux de son année dans la
    fenêtre), absente si elle n'en a aucun. La fenêtre (8 ou 12 trimestres) ne dit pas où en est
    le trimestre du bilan : « 64 attendues, 56 présentes » pour un T3 encore en brouillon.

    Attendues, pour un trimestre transmis (saisie soumise ou validée) : les valeurs que le
    formulaire demandait à la soumission (`Valeur.demandee`) — un indicateur suivi depuis n'y
    manque pas, un indicateur qui n'est plus saisi y compte encore. Pour un trimestre sans rien
    de transmis, et pour une saisie soumise avant que la soumission le note (on ne sait plus ce
    qui était demandé), les indicateurs que la table saisit aujourd'hui (`suivi_a_saisir`); un
    quartier sans table n'en attend aucune (comme la page de complétude et
    `lectures.parts_renseignees`, qui suit la même règle). Les autres valeurs ne comptent pas.
    Deux requêtes pour tous les quartiers."""
    aujourd_hui: dict[int, set[str]] = {pk: set() for pk in quartier_ids}
    for quartier_id, code in attendus_aujourd_hui(quartier_ids).values_list(
        "quartier_id", "indicateur__code"
    ):
        aujourd_hui[quartier_id].add(code)
    # Par quartier : période → indicateurs demandés à la soumission (saisies qui l'ont noté),
    # et (période, indicateur) → (statut de la saisie, non disponible) des valeurs renseignées.
    demandes: dict[int, dict[str, set[str]]] = {pk: {} for pk in quartier_ids}
    presentes: dict[int, dict[tuple[str, str], tuple[str, bool]]] = {pk: {} for pk in quartier_ids}
    renseignee = valeur_renseignee()
    for quartier_id, code, annee, trimestre, statut_saisie, non_disponible, demandee, lue in (
        valeurs_de_completude(quartier_ids, periodes)
        .filter(renseignee | Q(demandee__isnull=False))
        .annotate(renseignee=ExpressionWrapper(renseignee, output_field=BooleanField()))
        .order_by()
        .values_list(
            "saisie__table__quartier_id",
            "indicateur__code",
            "saisie__periode__annee",
            "saisie__periode__trimestre",
            "saisie__statut",
            "non_disponible",
            "demandee",
            "renseignee",
        )
    ):
        periode = f"{annee}-T{trimestre}"
        if demandee is not None:
            demandes[quartier_id].setdefault(periode, set())
        if demandee:
            demandes[quartier_id][periode].add(code)
        if lue:
            presentes[quartier_id][(periode, code)] = (statut_saisie, non_disponible)
    completudes = {}
    for pk in quartier_ids:
        attendus = {p.code: demandes[pk].get(p.code, aujourd_hui[pk]) for p in periodes}
        completude = _completude(attendus, presentes[pk], periodes)
        if du_bilan:
            completude["periode"] = _completude(attendus, presentes[pk], du_bilan)
        completudes[pk] = completude
    return completudes


def _completude(
    attendus: dict[str, set[str]], presentes: dict[tuple[str, str], tuple], periodes: list[Periode]
) -> dict:
    """La complétude des `periodes` : `attendus` donne les indicateurs attendus par période
    (code), `presentes` les valeurs renseignées par (période, indicateur)."""
    comptees, manquantes = [], []
    for p in periodes:
        for code in sorted(attendus[p.code]):
            if (p.code, code) in presentes:
                comptees.append(presentes[(p.code, code)])
            else:
                manquantes.append({"indicateur": code, "periode": p.code})
    return {
        "attendues": len(comptees) + len(manquantes),
        "renseignees": len(comptees),
        "validees": sum(1 for s, _n in comptees if s == StatutSaisie.VALIDEE),
        "non_disponibles": sum(1 for _s, non_disponible in comptees if non_disponible),
        "manquantes": manquantes,
    }
