"""Un double clic sur « Demander un bilan » (ou une demande répétée par l'API) ne crée pas un
second bilan identique en attente : tant qu'un bilan de même portée, quartier, période et
langue, demandé par la même personne, est en attente ou en cours, la demande le rend."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from rapports import services
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import AffectationFactory, construire_quartier

pytestmark = pytest.mark.django_db


@pytest.fixture
def villeray():
    return construire_quartier(nom="Villeray", indicateurs=2, trimestres=5)


@pytest.fixture
def coordonnatrice(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


@pytest.fixture
def file_des_taches():
    with mock.patch("rapports.tasks.generer_bilan_task.delay") as delay:
        yield delay


def _demander(auteur, quartier, **autres) -> Bilan:
    arguments = {"portee": Portee.QUARTIER, "quartier": quartier, "annee": 2023, "trimestre": 4}
    return services.demander_bilan(auteur=auteur, **(arguments | autres))


def test_deux_clics_sur_la_page_un_seul_bilan_et_une_seule_tache(
    client, coordonnatrice, villeray, file_des_taches, django_capture_on_commit_callbacks
):
    client.force_login(coordonnatrice)
    donnees = {"quartier": villeray.slug, "periode": "2023-T4", "langue": "fr"}
    with django_capture_on_commit_callbacks(execute=True):
        premier = client.post(reverse("bilans"), donnees)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse("bilans"), donnees)
    bilan = Bilan.objects.get()
    assert premier.status_code == second.status_code == 302
    assert premier["Location"] == second["Location"] == reverse("bilan_detail", args=[bilan.pk])
    file_des_taches.assert_called_once_with(bilan.pk)


def test_deux_demandes_par_l_api_rendent_le_meme_bilan(
    coordonnatrice, villeray, file_des_taches, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(coordonnatrice)
    donnees = {"portee": "quartier", "quartier": villeray.slug, "annee": 2023, "trimestre": 4}
    reponses = []
    for _fois in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reponses.append(api.post("/api/v1/bilans/", donnees, format="json"))
    assert [r.status_code for r in reponses] == [202, 202]
    assert reponses[0].data["id"] == reponses[1].data["id"] == Bilan.objects.get().pk
    assert reponses[0]["Location"] == reponses[1]["Location"]
    file_des_taches.assert_called_once()


def test_un_bilan_en_cours_est_rendu_lui_aussi(coordonnatrice, villeray, file_des_taches):
    bilan = _demander(coordonnatrice, villeray)
    Bilan.objects.filter(pk=bilan.pk).update(statut=StatutBilan.EN_COURS)
    assert _demander(coordonnatrice, villeray).pk == bilan.pk
    assert Bilan.objects.count() == 1


@pytest.mark.parametrize("statut", [StatutBilan.PRET, StatutBilan.ECHEC])
def test_un_bilan_termine_se_redemande(coordonnatrice, villeray, file_des_taches, statut):
    """Un bilan prêt est une photographie : la redemander en prend une nouvelle; un échec
    se redemande aussi."""
    bilan = _demander(coordonnatrice, villeray)
    Bilan.objects.filter(pk=bilan.pk).update(statut=statut)
    assert _demander(coordonnatrice, villeray).pk != bilan.pk
    assert Bilan.objects.count() == 2


@pytest.mark.parametrize(
    "autre",
    [
        {"langue": "en"},
        {"trimestre": 3},
        {"trimestre": None},
        {"annee": 2024, "trimestre": 1},
    ],
)
def test_une_autre_demande_cree_son_bilan(coordonnatrice, villeray, file_des_taches, autre):
    premier = _demander(coordonnatrice, villeray)
    assert _demander(coordonnatrice, villeray, **autre).pk != premier.pk
    assert Bilan.objects.count() == 2


def test_la_meme_demande_d_une_autre_personne_cree_son_bilan(
    coordonnatrice, villeray, bob, eve, file_des_taches
):
    premier = _demander(coordonnatrice, villeray)
    assert _demander(eve, villeray).pk != premier.pk
    pic = services.demander_bilan(auteur=eve, portee=Portee.PIC, annee=2023, trimestre=4)
    assert services.demander_bilan(auteur=eve, portee=Portee.PIC, annee=2023, trimestre=4) == pic
    assert Bilan.objects.count() == 3


def test_un_autre_quartier_cree_son_bilan(eve, villeray, file_des_taches):
    rosemont = construire_quartier(nom="Rosemont", indicateurs=1, trimestres=4)
    assert _demander(eve, villeray).pk != _demander(eve, rosemont).pk


@pytest.mark.django_db(transaction=True)
def test_deux_demandes_simultanees_un_seul_bilan(coordonnatrice, villeray, file_des_taches):
    """Deux requêtes en même temps (deux workers web) : chacune cherche un bilan en attente
    avant que l'autre n'ait validé le sien. La seconde attend la première, puis la trouve."""
    confier = services._confier

    def confier_lentement(bilan):
        confier(bilan)
        time.sleep(0.5)  # la transaction de la demande reste ouverte un moment

    rendus, erreurs = [], []

    def demande():
        try:
            rendus.append(_demander(coordonnatrice, villeray).pk)
        except Exception as erreur:  # pragma: no cover - rapporté par l'assertion
            erreurs.append(erreur)
        finally:
            connection.close()

    with mock.patch.object(services, "_confier", confier_lentement):
        fils = [threading.Thread(target=demande) for _ in range(2)]
        for fil in fils:
            fil.start()
        for fil in fils:
            fil.join(timeout=30)
    assert erreurs == []
    assert Bilan.objects.count() == 1
    assert rendus == [Bilan.objects.get().pk] * 2
