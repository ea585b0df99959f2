"""`POST /api/v1/saisies/` envoyé deux fois au même instant (un client qui réessaie) : une
seule ligne, et un seul `201 Created` — l'autre reçoit 200. L'API demandait d'abord si la
saisie existait, puis la créait au besoin : entre les deux, l'autre requête pouvait la créer,
et les deux répondaient 201. C'est maintenant la création elle-même qui dit si elle a créé
la ligne (`services.ouvrir_saisie`, sous la contrainte d'unicité)."""

from __future__ import annotations

from functools import partial

import pytest
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, StatutPeriode, TypeEvenement
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre
from tests.test_w4s15_soumission_double import en_meme_temps


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def corps(quartier_a, periode):
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=IndicateurFactory(code="menages"))
    return {"quartier": quartier_a.slug, "periode": periode.code}


def _api(personne) -> APIClient:
    api = APIClient()
    api.force_authenticate(personne)
    return api


def _creations() -> int:
    return EvenementSaisie.objects.filter(type_evenement=TypeEvenement.CREATION).count()


@pytest.mark.django_db
def test_creee_par_une_autre_requete_juste_avant_la_notre_repond_200(
    alice, quartier_a, periode, corps, monkeypatch
):
    """L'autre requête crée la saisie au dernier moment, juste avant notre `get_or_create` :
    notre réponse est 200, pas un second 201."""
    get_or_create = Saisie.objects.get_or_create

    def l_autre_requete_passe_d_abord(**champs):
        monkeypatch.setattr(Saisie.objects, "get_or_create", get_or_create)
        services.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
        return get_or_create(**champs)

    monkeypatch.setattr(Saisie.objects, "get_or_create", l_autre_requete_passe_d_abord)

    reponse = _api(alice).post("/api/v1/saisies/", corps, format="json")

    assert reponse.status_code == 200
    assert Saisie.objects.count() == 1
    assert _creations() == 1


@pytest.mark.django_db
def test_ouvrir_saisie_dit_si_elle_l_a_creee(alice, quartier_a, periode):
    premiere = services.ouvrir_saisie(table=quartier_a.table, periode=periode, auteur=alice)
    seconde = services.ouvrir_saisie(table=quartier_a.table, periode=periode, auteur=alice)
    assert (premiere[1], seconde[1]) == (True, False)
    assert premiere[0] == seconde[0]
    assert services.saisie_pour(table=quartier_a.table, periode=periode) == premiere[0]


@pytest.mark.django_db(transaction=True)
def test_deux_ouvertures_au_meme_instant_un_201_et_un_200(alice, corps):
    for _tour in range(3):
        Saisie.objects.all().delete()
        clients = [_api(alice), _api(alice)]
        reponses = en_meme_temps(
            *[partial(c.post, "/api/v1/saisies/", corps, format="json") for c in clients]
        )

        assert sorted(getattr(r, "status_code", r) for r in reponses) == [200, 201]
        assert Saisie.objects.count() == 1
        assert _creations() == 1
        assert reponses[0].json()["id"] == reponses[1].json()["id"]
