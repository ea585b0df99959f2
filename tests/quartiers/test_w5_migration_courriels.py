"""La migration quartiers 0005 (un courriel par compte, à la casse près) : quand des comptes
partagent un courriel, son message nomme les comptes et donne une commande à lancer depuis le
serveur, l'administration ne répondant pas tant que la migration échoue (sous docker compose,
rien ne démarre). La commande, exécutée telle quelle, lève l'obstacle."""

from __future__ import annotations

import importlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from quartiers.models import Utilisateur
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("quartiers.migrations.0005_courriel_unique_insensible_casse")


@pytest.fixture
def sans_la_contrainte():
    """La base d'avant la migration : la contrainte retirée le temps du test (transaction)."""
    (contrainte,) = [
        c
        for c in Utilisateur._meta.constraints
        if c.name == "utilisateur_courriel_unique_insensible_casse"
    ]
    with connection.schema_editor() as editeur:
        editeur.remove_constraint(Utilisateur, contrainte)


def test_le_message_nomme_les_comptes_et_donne_une_commande_qui_marche(sans_la_contrainte):
    premier = UtilisateurFactory(email="alice@exemple.org")
    second = UtilisateurFactory(email="Alice@Exemple.org")
    EmailAddress.objects.create(user=second, email="alice@exemple.org", primary=True)
    with pytest.raises(RuntimeError) as erreur:
        MIGRATION.verifier_aucun_doublon(apps, None)
    message = str(erreur.value)
    assert f"compte {premier.pk} : alice@exemple.org" in message
    assert f"compte {second.pk} : Alice@Exemple.org" in message
    assert "docker compose run --rm --no-deps web" in message
    (commande,) = re.findall(r'^python manage\.py shell -c "(.*)"$', message, re.M)
    assert f"pk={second.pk}" in commande

    call_command("shell", command=commande)

    MIGRATION.verifier_aucun_doublon(apps, None)  # plus d'obstacle
    second.refresh_from_db()
    assert second.email == "nouveau@exemple.org"
    assert not second.emailaddress_set.exists()


def test_sans_doublon_rien_n_arrete_la_migration():
    UtilisateurFactory(email="alice@exemple.org")
    MIGRATION.verifier_aucun_doublon(apps, None)
