"""Le message qui suit « Demander » un bilan dit l'état du bilan au retour de la demande.

Sans file de tâches (pas de CELERY_BROKER_URL : tâches dans le processus), le bilan est produit
pendant la demande : la page ne doit pas promettre de prévenir « quand il sera prêt » d'un bilan
déjà prêt (ni d'un bilan déjà en échec). Les tâches partent après la validation de la
transaction (`on_commit`) : ces tests en font de vraies (`transaction=True`).
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from rapports.models import Bilan, StatutBilan
from tests.factories import AffectationFactory, construire_quartier

pytestmark = pytest.mark.django_db(transaction=True)

PROMESSE = "vous serez prévenu·e quand il sera prêt"


@pytest.fixture
def villeray():
    return construire_quartier(nom="Villeray", indicateurs=2, trimestres=4)


@pytest.fixture
def coordonnatrice(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


def demander(client, quartier):
    reponse = client.post(
        reverse("bilans"),
        {"quartier": quartier.slug, "periode": "2023-T4", "langue": "fr"},
        follow=True,
    )
    assert reponse.status_code == 200
    return reponse, [str(message) for message in get_messages(reponse.wsgi_request)]


def test_un_bilan_produit_pendant_la_demande_est_annonce_pret(
    client, settings, coordonnatrice, villeray
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(coordonnatrice)
    reponse, _messages = demander(client, villeray)
    bilan = Bilan.objects.get()
    assert bilan.statut == StatutBilan.PRET
    contenu = reponse.content.decode()
    assert "Le bilan est prêt." in contenu
    assert PROMESSE not in contenu
    # La page est celle du bilan, avec ses téléchargements.
    assert reponse.redirect_chain[-1][0] == reverse("bilan_detail", args=[bilan.pk])
    assert reverse("bilan_fichier", args=[bilan.pk, "pdf"]) in contenu


def test_un_bilan_en_echec_pendant_la_demande_ne_promet_rien(
    client, settings, coordonnatrice, villeray
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(coordonnatrice)
    with mock.patch("rapports.services.construire_instantane", side_effect=RuntimeError("panne")):
        reponse, messages = demander(client, villeray)
    assert Bilan.objects.get().statut == StatutBilan.ECHEC
    assert messages == ["Le bilan n'a pas pu être produit : le motif est ci-dessous."]
    assert PROMESSE not in reponse.content.decode()


def test_un_bilan_confie_a_un_worker_garde_la_promesse(client, coordonnatrice, villeray):
    client.force_login(coordonnatrice)
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        _reponse, messages = demander(client, villeray)
    assert Bilan.objects.get().statut == StatutBilan.EN_ATTENTE
    assert messages == ["Le bilan est demandé : vous serez prévenu·e quand il sera prêt."]
