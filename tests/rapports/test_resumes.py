"""Les résumés calculés en SQL (`rapports.resumes`) donnent, série par série, le même résumé et
donc le même statut que les séries lues et résumées en Python (`rapports.statuts.resumer`) :
les règles du statut ne sont écrites qu'une fois, et les deux chemins les nourrissent pareil."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicateurs.models import Cible, IndicateurSuivi, ModeCollecte, Periode, Saisie, Valeur
from indicateurs.models.saisies import STATUTS_PUBLIES
from quartiers.models import Quartier
from rapports.lectures import Filtre, lire_series, lire_suivis
from rapports.resumes import lire_resumes
from rapports.series import Statut
from rapports.statuts import resumer, statut, statut_du_resume
from tests.factories import (
    IndicateurSuiviFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


def _comparer(quartiers: list[Quartier], filtre: Filtre) -> Counter:
    suivis = [s for s in lire_suivis(quartiers, filtre) if s.indicateur__mode != "calcule"]
    par_sql = lire_resumes(
        [q.pk for q in quartiers], suivis, list(filtre.periodes), STATUTS_PUBLIES
    )
    series = lire_series(quartiers, filtre, suivis=suivis)
    ids = {s.indicateur__code: s.indicateur_id for s in suivis}
    comptes: Counter = Counter()
    for quartier in quartiers:
        for serie in series[quartier.pk]:
            cle = (quartier.pk, ids[serie.code])
            assert par_sql[cle] == resumer(serie), (quartier.slug, serie.code)
            assert statut_du_resume(par_sql[cle]) == statut(serie)
            comptes[statut(serie)] += 1
    assert len(par_sql) == sum(len(v) for v in series.values())
    return comptes


def test_resumes_sql_identiques_a_ceux_des_series_sur_des_donnees_d_echelle():
    call_command(
        "generer_donnees_echelle", quartiers=3, indicateurs=24, trimestres=16, stdout=StringIO()
    )
    quartiers = list(Quartier.objects.filter(indicateurs_suivis__isnull=False).distinct())
    periodes = list(Periode.objects.exclude(statut="a_venir").order_by("debut"))
    assert len(quartiers) == 3 and len(periodes) >= 12
    comptes = Counter()
    # L'intervalle par défaut, le début de l'historique, et une fenêtre de deux trimestres.
    for tranche in (periodes[-12:], periodes[:6], periodes[-2:]):
        comptes += _comparer(quartiers, Filtre(periodes=tuple(tranche)))
    # Les données variées exercent chaque branche des règles.
    assert set(comptes) == set(Statut), comptes


def test_cas_limites_brouillons_trous_cibles_passees_et_texte():
    quartier = QuartierFactory(nom="Limites", slug="limites")
    periodes = [periode_du_trimestre(2024 + r // 4, r % 4 + 1) for r in range(6)]
    suivis = {
        nom: IndicateurSuiviFactory(quartier=quartier, indicateur__polarite=polarite)
        for nom, polarite in [("trous", "hausse"), ("baisse", "baisse"), ("neutre", "neutre")]
    }
    suivis["texte"] = IndicateurSuiviFactory(quartier=quartier, indicateur__unite="texte")
    suivis["vide"] = IndicateurSuiviFactory(quartier=quartier, valeur_reference=Decimal(5))
    valeurs = {
        "trous": [10, None, 13, None, None, 20],
        "baisse": [30, 28, "27.5", 26, 30, None],
        "neutre": [5, 5, 6, 5, 4, 5],
    }
    for rang, periode in enumerate(periodes):
        # Le dernier trimestre reste en brouillon : il ne compte pas.
        statut_saisie = "brouillon" if rang == 5 else "validee"
        saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut=statut_saisie)
        for nom, serie in valeurs.items():
            if serie[rang] is not None:
                Valeur.objects.create(
                    saisie=saisie,
                    indicateur=suivis[nom].indicateur,
                    valeur_numerique=Decimal(str(serie[rang])),
                )
        Valeur.objects.create(
            saisie=saisie, indicateur=suivis["texte"].indicateur, valeur_texte="x"
        )
    # Cibles : une passée et une à venir, seulement passées, à la période de la dernière valeur.
    Cible.objects.create(suivi=suivis["trous"], periode=periodes[1], valeur=11)
    Cible.objects.create(suivi=suivis["trous"], periode=periode_du_trimestre(2025, 4), valeur=40)
    Cible.objects.create(suivi=suivis["baisse"], periode=periodes[0], valeur=29)
    Cible.objects.create(suivi=suivis["baisse"], periode=periodes[1], valeur=25)
    Cible.objects.create(suivi=suivis["neutre"], periode=periodes[4], valeur=5)
    quartiers = [quartier]
    comptes = _comparer(quartiers, Filtre(periodes=tuple(periodes)))
    assert comptes[Statut.SANS_DONNEES] == 2  # texte et vide
    comptes = _comparer(quartiers, Filtre(periodes=tuple(periodes[:3])))
    assert sum(comptes.values()) == len(suivis)


def test_une_seule_requete_quel_que_soit_le_volume():
    call_command(
        "generer_donnees_echelle", quartiers=2, indicateurs=12, trimestres=8, stdout=StringIO()
    )
    quartiers = list(Quartier.objects.filter(indicateurs_suivis__isnull=False).distinct())
    periodes = tuple(Periode.objects.exclude(statut="a_venir").order_by("debut"))
    suivis = [
        s
        for s in lire_suivis(quartiers, Filtre(periodes=periodes))
        if s.indicateur__mode == ModeCollecte.SAISI
    ]
    assert IndicateurSuivi.objects.count() > 20
    with CaptureQueriesContext(connection) as requetes:
        lire_resumes([q.pk for q in quartiers], suivis, list(periodes), STATUTS_PUBLIES)
    assert len(requetes) == 1
