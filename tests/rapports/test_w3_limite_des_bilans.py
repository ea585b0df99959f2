"""Une personne ne demande pas plus de `EVALPIC_BILANS_PAR_HEURE` bilans par heure glissante.

Chaque bilan prêt se redemandait sans limite : chaque demande produisait un bilan complet de
plus (≈ 1,85 Mo gardés, quelques secondes de worker et de chromium). La limite est dans le
service (`rapports.services.demander_bilan`) : la page répond 429 avec son formulaire et la
raison, l'API 429 avec `Retry-After` et le corps d'erreur habituel. La demande répétée d'un bilan
encore attendu ne compte pas; les bilans planifiés (beat) ne sont pas limités.

Les tâches ne partent pas ici (pas de `on_commit` exécuté) : un bilan « produit » est marqué
prêt à la main, ce qui suffit à la règle (elle compte les lignes demandées).
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from indicateurs.models import Periode, StatutPeriode
from rapports import services
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import AffectationFactory, construire_quartier

pytestmark = pytest.mark.django_db


@pytest.fixture
def villeray():
    return construire_quartier(nom="Villeray", indicateurs=1, trimestres=4)


@pytest.fixture
def coordonnatrice(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


@pytest.fixture(autouse=True)
def limite(settings):
    settings.EVALPIC_BILANS_PAR_HEURE = 3
    return 3


def _demander(auteur, quartier, trimestre=4, langue="fr") -> Bilan:
    return services.demander_bilan(
        auteur=auteur,
        portee=Portee.QUARTIER,
        quartier=quartier,
        annee=2023,
        trimestre=trimestre,
        langue=langue,
    )


def _produit(bilan: Bilan) -> None:
    """Le bilan, marqué prêt (la production elle-même ne compte pas ici)."""
    Bilan.objects.filter(pk=bilan.pk).update(statut=StatutBilan.PRET)


def _atteindre_la_limite(auteur, quartier, limite) -> list[Bilan]:
    bilans = []
    for _fois in range(limite):
        bilans.append(_demander(auteur, quartier))
        _produit(bilans[-1])
    return bilans


def test_le_meme_bilan_redemande_une_fois_pret_s_arrete_a_la_limite(
    coordonnatrice, villeray, limite
):
    bilans = _atteindre_la_limite(coordonnatrice, villeray, limite)
    assert len({b.pk for b in bilans}) == limite  # chacun était une nouvelle photographie
    with pytest.raises(services.DemandesTropNombreuses) as refus:
        _demander(coordonnatrice, villeray)
    assert Bilan.objects.count() == limite
    # La première demande de l'heure sortira de la fenêtre dans un peu moins d'une heure.
    assert 3500 < refus.value.wait <= 3600
    assert refus.value.status_code == 429
    assert "3 bilans dans la dernière heure" in str(refus.value.detail)


def test_la_limite_compte_toutes_les_demandes_de_la_personne(coordonnatrice, villeray, limite):
    """Portée, période et langue différentes : chacune a occupé un worker."""
    for trimestre, langue in ((1, "fr"), (2, "en"), (3, "fr")):
        _demander(coordonnatrice, villeray, trimestre=trimestre, langue=langue)
    with pytest.raises(services.DemandesTropNombreuses):
        _demander(coordonnatrice, villeray, trimestre=4)


def test_la_demande_repetee_d_un_bilan_attendu_ne_compte_pas(coordonnatrice, villeray, limite):
    """Un double clic à la limite rend le bilan encore attendu, sans refus."""
    _atteindre_la_limite(coordonnatrice, villeray, limite - 1)
    attendu = _demander(coordonnatrice, villeray, trimestre=3)
    assert _demander(coordonnatrice, villeray, trimestre=3).pk == attendu.pk
    assert Bilan.objects.count() == limite


def test_une_demande_de_plus_d_une_heure_ne_compte_plus(coordonnatrice, villeray, limite):
    bilans = _atteindre_la_limite(coordonnatrice, villeray, limite)
    il_y_a_50_minutes = timezone.now() - datetime.timedelta(minutes=50)
    Bilan.objects.filter(pk=bilans[0].pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    Bilan.objects.filter(pk=bilans[1].pk).update(created_at=il_y_a_50_minutes)
    nouveau = _demander(coordonnatrice, villeray)  # la plus ancienne est sortie de l'heure
    _produit(nouveau)
    with pytest.raises(services.DemandesTropNombreuses) as refus:
        _demander(coordonnatrice, villeray)
    # La suivante se libère quand la demande d'il y a 50 minutes sort de l'heure : ~10 minutes.
    assert 540 < refus.value.wait <= 600
    assert "dans 10 minutes" in str(refus.value.detail)


def test_chaque_personne_a_sa_limite(coordonnatrice, villeray, limite):
    _atteindre_la_limite(coordonnatrice, villeray, limite)
    collegue = AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur
    assert _demander(collegue, villeray).demande_par == collegue


def test_l_evaluation_a_la_meme_limite(eve, villeray, limite):
    """Le bilan du PIC, réservé à l'évaluation, est le plus coûteux : pas d'exception."""
    for _fois in range(limite):
        _produit(services.demander_bilan(auteur=eve, portee=Portee.PIC, annee=2023, trimestre=4))
    with pytest.raises(services.DemandesTropNombreuses):
        services.demander_bilan(auteur=eve, portee=Portee.PIC, annee=2023, trimestre=4)


def test_zero_leve_la_limite(coordonnatrice, villeray, settings):
    settings.EVALPIC_BILANS_PAR_HEURE = 0
    _atteindre_la_limite(coordonnatrice, villeray, 5)
    assert Bilan.objects.count() == 5


def test_les_bilans_planifies_ne_sont_pas_limites_et_ne_comptent_pas(
    coordonnatrice, villeray, limite
):
    Periode.objects.update(statut=StatutPeriode.FERMEE)
    _atteindre_la_limite(coordonnatrice, villeray, limite - 1)
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        crees = services.planifier_bilans(aujourd_hui=datetime.date(2024, 3, 1))
    assert len(crees) == 4  # T4 et année 2023, du quartier et du PIC
    # Les quatre bilans planifiés ne prennent rien à la personne : il lui en reste un.
    _demander(coordonnatrice, villeray, trimestre=2)
    with pytest.raises(services.DemandesTropNombreuses):
        _demander(coordonnatrice, villeray, trimestre=1)


# --- La page et l'API ----------------------------------------------------------------------------


def test_la_page_repond_429_avec_son_formulaire_et_la_raison(
    client, coordonnatrice, villeray, limite
):
    _atteindre_la_limite(coordonnatrice, villeray, limite)
    client.force_login(coordonnatrice)
    reponse = client.post(
        reverse("bilans"), {"quartier": villeray.slug, "periode": "2023-T4", "langue": "fr"}
    )
    assert reponse.status_code == 429
    assert 3500 < int(reponse["Retry-After"]) <= 3600
    contenu = reponse.content.decode()
    assert "Vous avez demandé 3 bilans dans la dernière heure" in contenu
    assert 'role="alert"' in contenu
    assert 'value="2023-T4" selected' in contenu  # le choix est gardé
    assert Bilan.objects.count() == limite


def test_l_api_repond_429_avec_retry_after_et_le_corps_d_erreur(coordonnatrice, villeray, limite):
    _atteindre_la_limite(coordonnatrice, villeray, limite)
    api = APIClient()
    api.force_authenticate(coordonnatrice)
    reponse = api.post(
        "/api/v1/bilans/",
        {"portee": "quartier", "quartier": villeray.slug, "annee": 2023, "trimestre": 4},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert reponse.status_code == 429, reponse.content
    assert 3500 < int(reponse["Retry-After"]) <= 3600
    assert list(reponse.json()) == ["detail"]
    assert reponse.json()["detail"].startswith("Vous avez demandé 3 bilans")
    assert Bilan.objects.count() == limite
