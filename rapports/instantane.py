"""L'instantané d'un bilan : tout ce que le bilan montre, lu une fois et figé en JSON (nombres
en texte décimal exact), avec sa somme de contrôle. Les fichiers du bilan (HTML, PDF, XLSX,
CSV) se fabriquent à partir de l'instantané seul : les régénérer redonne les mêmes chiffres.

Forme (format 1) :
    {"format": 1, "generateur": "…", "portee": "quartier" | "pic", "langue": "fr",
     "periode": {"annee", "trimestre" | null, "code", "libelle", "debut", "fin", "fenetre": [codes]},
     "indicateurs": {code: {"nom", "definition", "unite", "polarite", "famille", "source", "mode"}},
     "quartiers": [{"slug", "nom", "niveau_soutien", "table",
                    "strategie": {"version", "titre", "adoptee_le"} | null,
                    "changements": [{"code", "libelle", "horizon", "famille", "indicateurs"}],
                    "series": [{"code", "reference", "date_reference", "statut",
                                "points": [{"periode", "libelle", "valeur"}],
                                "cibles": [{"periode", "libelle", "valeur"}],
                                "reperes": [{"periode", "libelle", "categorie", "texte"}]}],
                    "registre": {"depart": {...}, "fin": {...}},
                    "apprentissages": {categorie: [texte, …]},
                    "completude": {"attendues", "renseignees", "validees", "manquantes": [...]}}]}
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

from django.utils import translation

from indicateurs.calculs import calculer
from indicateurs.models import (
    Apprentissage,
    CategorieApprentissage,
    ChangementVise,
    Indicateur,
    IndicateurSuivi,
    Periode,
    StatutPeriode,
    StatutSaisie,
    StatutStrategie,
    StrategieDeChangement,
    Valeur,
)
from indicateurs.periodes import bornes_du_trimestre
from quartiers.models import Quartier
from rapports.lectures import Filtre, lire_registres, lire_series
from rapports.models import Bilan
from rapports.series import SerieIndicateur
from rapports.statuts import statut

FORMAT = 1
VERSION_GENERATEUR = "evalpic-bilan-1.0"
FENETRE_TRIMESTRIELLE = 8  # trimestres montrés dans un bilan trimestriel
FENETRE_ANNUELLE = 12


def somme_de_controle(instantane: dict) -> str:
    """SHA-256 du JSON canonique (clés triées, sans espaces)."""
    texte = json.dumps(instantane, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def _texte(nombre: Decimal | None) -> str | None:
    return None if nombre is None else format(Decimal(nombre).normalize(), "f")


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
        registres = lire_registres([q.pk for q in quartiers])
        debut, fin = bornes(bilan)
        codes = {s.code for liste in series.values() for s in liste}
        return {
            "format": FORMAT,
            "generateur": VERSION_GENERATEUR,
            "portee": bilan.portee,
            "langue": bilan.langue,
            "periode": {
                "annee": bilan.annee,
                "trimestre": bilan.trimestre,
                "code": bilan.code_periode,
                "libelle": bilan.libelle_periode,
                "debut": debut.isoformat(),
                "fin": fin.isoformat(),
                "fenetre": [p.code for p in periodes],
            },
            "indicateurs": _catalogue(codes),
            "quartiers": [
                _quartier(q, series[q.pk], registres[q.pk], periodes, debut, fin) for q in quartiers
            ],
        }


def _quartiers_du_pic() -> list[Quartier]:
    """Les quartiers qui suivent au moins un indicateur, par ordre alphabétique."""
    return list(Quartier.objects.filter(indicateurs_suivis__actif=True).distinct().order_by("nom"))


def _catalogue(codes: set[str]) -> dict:
    return {
        i.code: {
            "nom": i.nom,
            "definition": i.definition,
            "unite": i.unite,
            "polarite": i.polarite,
            "famille": str(i.get_famille_display()),
            "source": i.source,
            "mode": i.mode,
        }
        for i in Indicateur.objects.filter(code__in=codes).order_by("code")
    }


def _quartier(quartier, series, registre, periodes, debut, fin) -> dict:
    strategie = (
        StrategieDeChangement.objects.filter(quartier=quartier, statut=StatutStrategie.EN_VIGUEUR)
        .order_by("-version")
        .first()
    )
    return {
        "slug": quartier.slug,
        "nom": quartier.nom,
        "niveau_soutien": str(quartier.get_niveau_soutien_display()),
        "table": getattr(getattr(quartier, "table", None), "nom", ""),
        "strategie": _strategie(strategie),
        "changements": _changements(strategie),
        "series": [_serie(s) for s in series],
        "registre": _registre(registre, debut, fin),
        "apprentissages": _apprentissages(quartier, debut, fin),
        "completude": _completude(quartier, periodes),
    }


def _strategie(strategie: StrategieDeChangement | None) -> dict | None:
    if strategie is None:
        return None
    return {
        "version": strategie.version,
        "titre": strategie.titre,
        "adoptee_le": strategie.adoptee_le.isoformat() if strategie.adoptee_le else None,
    }


def _changements(strategie: StrategieDeChangement | None) -> list[dict]:
    if strategie is None:
        return []
    changements = ChangementVise.objects.filter(strategie=strategie).prefetch_related("indicateurs")
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


def _serie(serie: SerieIndicateur) -> dict:
    return {
        "code": serie.code,
        "reference": _texte(serie.reference),
        "date_reference": serie.date_reference.isoformat() if serie.date_reference else None,
        "statut": statut(serie).value,
        "points": [
            {"periode": p.periode, "libelle": p.libelle, "valeur": _texte(p.valeur)}
            for p in serie.points
        ],
        "cibles": [
            {"periode": c.periode, "libelle": c.libelle, "valeur": _texte(c.valeur)}
            for c in serie.cibles
        ],
        "reperes": [r._asdict() for r in serie.reperes],
    }


def _registre(registre: tuple[list, list], debut: datetime.date, fin: datetime.date) -> dict:
    """Le registre pendant la première année inscrite (« depuis l'arrivée du PIC ») et pendant
    la période du bilan."""
    participations, actions = registre
    if not participations:
        return {"depart": None, "fin": None}
    premiere = min(p.debut for p in participations).year
    mesures = {
        "depart": (datetime.date(premiere, 1, 1), datetime.date(premiere, 12, 31)),
        "fin": (debut, fin),
    }
    resultat = {}
    for cle, (a, b) in mesures.items():
        valeurs = calculer(participations, actions, a, b)
        resultat[cle] = {"date": b.isoformat(), **{k: _texte(v) for k, v in valeurs.items()}}
    return resultat


def _apprentissages(quartier: Quartier, debut: datetime.date, fin: datetime.date) -> dict:
    lignes = Apprentissage.objects.filter(
        quartier=quartier, periode__debut__gte=debut, periode__fin__lte=fin
    ).order_by("periode__debut", "pk")
    par_categorie: dict[str, list[str]] = {c: [] for c in CategorieApprentissage.values}
    for apprentissage in lignes:
        par_categorie[apprentissage.categorie].append(apprentissage.texte)
    return par_categorie


def _completude(quartier: Quartier, periodes: list[Periode]) -> dict:
    """Valeurs attendues, présentes et validées sur la fenêtre, et ce qui manque."""
    attendus = set(
        IndicateurSuivi.objects.filter(quartier=quartier)
        .a_saisir()
        .values_list("indicateur__code", flat=True)
    )
    presentes = {  # les seules valeurs attendues : celles d'un indicateur que la table saisit
        (code, annee, trimestre, statut)
        for code, annee, trimestre, statut in Valeur.objects.publiees()
        .renseignees()
        .filter(saisie__table__quartier=quartier, saisie__periode__in=periodes)
        .values_list(
            "indicateur__code",
            "saisie__periode__annee",
            "saisie__periode__trimestre",
            "saisie__statut",
        )
        if code in attendus
    }
    cles = {(c, a, t) for c, a, t, _s in presentes}
    manquantes = [
        {"indicateur": code, "periode": p.code}
        for p in periodes
        for code in sorted(attendus)
        if (code, p.annee, p.trimestre) not in cles
    ]
    return {
        "attendues": len(attendus) * len(periodes),
        "renseignees": len(cles),
        "validees": sum(1 for *_c, s in presentes if s == StatutSaisie.VALIDEE),
        "manquantes": manquantes,
    }
