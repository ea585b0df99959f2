"""Données d'échelle : leur présence, leur effacement, le référentiel et les périodes."""

from __future__ import annotations

import datetime
from collections import Counter

from django.conf import settings
from django.db import models

from indicateurs.models import Indicateur, ModeCollecte, Periode, Theme
from indicateurs.periodes import (
    bornes_du_trimestre,
    statut_selon_calendrier,
    trimestre_de,
    trimestre_precedent,
)
from quartiers.models import Partenaire, Quartier, Secteur
from quartiers.referentiel import charger_referentiel
from rapports.echelle.outils import PREFIXE_CODE, PREFIXE_NOM, PREFIXE_SLUG, GenerationImpossible


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
