"""La page des courriels (/comptes/email/) ouverte dans deux onglets au même instant, par un
compte sans ligne `EmailAddress` (comptes de la démonstration, `createsuperuser`) : chacun
créait la ligne du courriel principal (`marquer_l_identifiant_principal`), et le second
finissait en erreur 500 (unicité de l'utilisateur et du courriel).

Reproduction déterministe, sur de vraies transactions : un premier onglet a créé la ligne sans
l'avoir encore validée (sa transaction reste ouverte); le second ne la voit pas, l'écrit à son
tour et attend sur l'index d'unicité (on l'observe dans `pg_stat_activity`); le premier valide.
Le second doit alors trouver le principal de l'autre, et la page s'ouvrir."""

from __future__ import annotations

import threading

import pytest
from allauth.account.models import EmailAddress
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from quartiers.models import Utilisateur
from tests.factories import MOT_DE_PASSE
from tests.verrous import attendre_une_ecriture_bloquee


@pytest.mark.django_db(transaction=True)
def test_le_second_onglet_trouve_le_courriel_principal_du_premier():
    utilisateur = Utilisateur.objects.create_user("demo@exemple.org", MOT_DE_PASSE)
    assert not EmailAddress.objects.filter(user=utilisateur).exists()
    onglet = Client(raise_request_exception=False)
    onglet.force_login(utilisateur)
    barriere = threading.Barrier(2, timeout=5)
    liberer = threading.Event()
    resultats: dict = {}

    def premier_onglet():  # au milieu de sa création, pas encore validée
        try:
            with transaction.atomic():
                EmailAddress.objects.create(
                    user=utilisateur, email=utilisateur.email, primary=True, verified=False
                )
                barriere.wait()
                liberer.wait(5)
        finally:
            connection.close()

    def second_onglet():
        try:
            barriere.wait()
            resultats["reponse"] = onglet.get(reverse("account_email"))
        finally:
            connection.close()

    fils = [threading.Thread(target=premier_onglet), threading.Thread(target=second_onglet)]
    for fil in fils:
        fil.start()
    bloque = attendre_une_ecriture_bloquee()
    liberer.set()
    for fil in fils:
        fil.join(10)

    assert bloque, "le second onglet aurait dû attendre l'écriture du premier"
    assert resultats["reponse"].status_code == 200
    adresses = EmailAddress.objects.filter(user=utilisateur)
    assert [(a.email, a.primary) for a in adresses] == [("demo@exemple.org", True)]


@pytest.mark.django_db
def test_un_seul_principal_quel_que_soit_le_nombre_d_ouvertures(client):
    utilisateur = Utilisateur.objects.create_user("demo@exemple.org", MOT_DE_PASSE)
    client.force_login(utilisateur)
    for _fois in range(2):
        assert client.get(reverse("account_email")).status_code == 200
    assert list(
        EmailAddress.objects.filter(user=utilisateur).values_list("primary", flat=True)
    ) == [True]
