"""`?ordering=` sur un champ qui n'est pas unique : chaque ligne paraît une fois et une seule en
suivant les pages (la clé primaire départage les égales, `evalpic.api.tri.TriStable`)."""

from __future__ import annotations

import pytest
from rest_framework.filters import OrderingFilter
from rest_framework.test import APIClient

from evalpic.api.tri import TriStable
from indicateurs.models import Saisie
from quartiers.models import Participation
from tests.factories import ParticipationFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _tout_lire(client: APIClient, adresse: str) -> list:
    vus = []
    while adresse:
        page = client.get(adresse).json()
        vus += [ligne["id"] for ligne in page["results"]]
        adresse = page["next"]
    return vus


@pytest.fixture
def api(eve) -> APIClient:
    client = APIClient()
    client.force_authenticate(eve)
    return client


@pytest.mark.parametrize("tri", ["role", "-role", "debut"])
def test_les_participations_triees_par_role_paraissent_chacune_une_fois(api, quartier_a, tri):
    for _ in range(40):
        ParticipationFactory(table=quartier_a.table, role="membre")
    vus = _tout_lire(api, f"{API}/participations/?ordering={tri}&taille=5")
    assert sorted(vus) == sorted(Participation.objects.values_list("pk", flat=True))


def test_les_saisies_triees_par_statut_paraissent_chacune_une_fois(api, quartier_a, quartier_b):
    for rang in range(12):
        for quartier in (quartier_a, quartier_b):
            periode = periode_du_trimestre(2015 + rang // 4, rang % 4 + 1)
            Saisie.objects.create(table=quartier.table, periode=periode)
    vus = _tout_lire(api, f"{API}/saisies/?ordering=statut&taille=3")
    assert sorted(vus) == sorted(Saisie.objects.values_list("pk", flat=True))


def test_la_cle_primaire_suit_le_tri_demande_sans_le_remplacer(api, quartier_a):
    for role in ("membre", "porteur", "membre", "bailleur"):
        ParticipationFactory(table=quartier_a.table, role=role)
    roles = [
        ligne["role"]
        for ligne in api.get(f"{API}/participations/?ordering=-role").json()["results"]
    ]
    assert roles == sorted(roles, reverse=True)


def test_le_tri_stable_est_le_tri_par_defaut_de_l_api(settings):
    assert "evalpic.api.tri.TriStable" in settings.REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]
    assert issubclass(TriStable, OrderingFilter)
