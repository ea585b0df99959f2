"""Les quatre dernières valeurs affichées à côté de chaque champ du formulaire de saisie : les
quatre plus récentes *qui existent* pour l'indicateur (un trimestre sans valeur ne compte pas),
en ordre chronologique, quelle que soit la longueur de l'historique."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicateurs.models import Saisie, StatutPeriode, Valeur
from indicateurs.selectors import page_de_saisie
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _historique(quartier, indicateurs, trimestres: int, trous: dict | None = None) -> None:
    """Une saisie validée par trimestre depuis 2020-T1; `trous` : indicateur → rangs sans valeur."""
    trous = trous or {}
    for rang in range(trimestres):
        periode = periode_du_trimestre(2020 + rang // 4, rang % 4 + 1)
        saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
        Valeur.objects.bulk_create(
            Valeur(saisie=saisie, indicateur=i, valeur_numerique=Decimal(rang))
            for i in indicateurs
            if rang not in trous.get(i.code, ())
        )


def test_les_quatre_dernieres_valeurs_existantes_en_ordre(quartier_a):
    plein, troue = IndicateurFactory(code="plein"), IndicateurFactory(code="troue")
    for indicateur in (plein, troue):
        IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    _historique(quartier_a, [plein, troue], trimestres=10, trous={"troue": {7, 9}})
    ouverte = periode_du_trimestre(2022, 3, statut=StatutPeriode.OUVERTE)  # rang 10
    lignes = {ligne.indicateur.code: ligne for ligne in page_de_saisie(quartier_a, ouverte).lignes}
    assert lignes["plein"].precedentes == [
        ("T3 2021", Decimal(6)),
        ("T4 2021", Decimal(7)),
        ("T1 2022", Decimal(8)),
        ("T2 2022", Decimal(9)),
    ]
    assert [valeur for _libelle, valeur in lignes["troue"].precedentes] == [4, 5, 6, 8]


def test_seules_comptent_les_periodes_anterieures(quartier_a):
    indicateur = IndicateurFactory(code="ind")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    _historique(quartier_a, [indicateur], trimestres=6)
    milieu = periode_du_trimestre(2020, 3)  # rang 2 : deux trimestres avant lui
    ligne = page_de_saisie(quartier_a, milieu).lignes[0]
    assert [valeur for _libelle, valeur in ligne.precedentes] == [0, 1]


def test_un_long_historique_ne_coute_pas_plus_de_requetes(quartier_a, quartier_b):
    for quartier, trimestres in ((quartier_a, 2), (quartier_b, 20)):
        indicateurs = [IndicateurFactory() for _ in range(3)]
        for indicateur in indicateurs:
            IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
        _historique(quartier, indicateurs, trimestres=trimestres)
    ouverte = periode_du_trimestre(2026, 1, statut=StatutPeriode.OUVERTE)
    compte = []
    for quartier in (quartier_a, quartier_b):
        with CaptureQueriesContext(connection) as requetes:
            page_de_saisie(quartier, ouverte)
        compte.append(len(requetes))
    assert compte[0] == compte[1]


@pytest.mark.parametrize(
    ("langue", "attendu"),
    [("fr", "T1 2022 : 8; T2 2022 : 9"), ("en", "Q1 2022: 8; Q2 2022: 9")],
)
def test_le_formulaire_les_ecrit_dans_la_langue_de_la_page(client, alice, langue, attendu):
    indicateur = IndicateurFactory(code="ind")
    IndicateurSuiviFactory(quartier=alice.affectations.get().quartier, indicateur=indicateur)
    _historique(alice.affectations.get().quartier, [indicateur], trimestres=10)
    ouverte = periode_du_trimestre(2022, 3, statut=StatutPeriode.OUVERTE)
    client.force_login(alice)
    client.cookies["django_language"] = langue
    quartier = alice.affectations.get().quartier
    reponse = client.get(f"/quartiers/{quartier.slug}/saisies/{ouverte.code}/")
    assert reponse.status_code == 200
    assert attendu in " ".join(reponse.content.decode().split())


def test_la_page_ne_lit_que_la_cible_de_sa_periode(quartier_a):
    """Une cible par trimestre sur dix trimestres : la page n'en lit qu'une par indicateur, celle
    de la période (avant, toutes : ~1 200 instances par page sur les données d'échelle)."""
    from indicateurs.models import Cible

    indicateur = IndicateurFactory(code="ind")
    suivi = IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    periodes = [periode_du_trimestre(2020 + rang // 4, rang % 4 + 1) for rang in range(10)]
    Cible.objects.bulk_create(
        Cible(suivi=suivi, periode=periode, valeur=Decimal(rang))
        for rang, periode in enumerate(periodes)
    )
    ligne = page_de_saisie(quartier_a, periodes[6]).lignes[0]
    assert ligne.cible == Decimal(6)
    assert [cible.periode_id for cible in ligne.suivi.cibles_lues] == [periodes[6].pk]
