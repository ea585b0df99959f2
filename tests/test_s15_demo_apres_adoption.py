"""Recharger la démonstration (`charger_demo`, que la commande de lancement du README exécute à
chaque démarrage) après qu'une nouvelle version de stratégie a été adoptée sur le site : la
version adoptée reste en vigueur, la version 2 de la démonstration reste archivée.

Sur l'ancien code, le second chargement remettait la version 2 en vigueur à côté de la version
adoptée : la contrainte « une seule en vigueur par quartier » l'arrêtait (IntegrityError), et
la plateforme ne redémarrait plus."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from indicateurs import services_strategie
from indicateurs.models import StatutStrategie
from quartiers.models import Quartier, Utilisateur

pytestmark = pytest.mark.django_db


def test_la_demonstration_se_recharge_apres_une_adoption_sur_le_site(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("charger_demo", stdout=StringIO())
    evaluation = Utilisateur.objects.get(email="evaluation@demo.evalpic.ca")
    quartier = Quartier.objects.get(slug="saint-michel")
    brouillon, _ = services_strategie.preparer_version(utilisateur=evaluation, quartier=quartier)
    services_strategie.adopter_brouillon(
        utilisateur=evaluation, strategie=brouillon, adoptee_le=datetime.date.today()
    )

    call_command("charger_demo", stdout=StringIO())

    en_vigueur = quartier.strategies.get(statut=StatutStrategie.EN_VIGUEUR)
    assert en_vigueur.pk == brouillon.pk
    assert quartier.strategies.get(version=2).statut == StatutStrategie.ARCHIVEE
