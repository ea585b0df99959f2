"""Deux comptes ne partagent pas un courriel, à la casse près : la connexion le cherche sans
tenir compte des majuscules, et un second compte « COORDINATION@… » à côté de
« coordination@… » ne pouvait se connecter. Refusé à côté du champ dans l'administration, et
par une contrainte en base (`utilisateur_courriel_unique_insensible_casse`)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from quartiers.models import Utilisateur

pytestmark = pytest.mark.django_db

DEJA_UTILISE = "Un compte utilise déjà ce courriel (majuscules et minuscules confondues)."


def test_l_administration_refuse_un_courriel_qui_ne_differe_que_par_la_casse(client, ada, alice):
    client.force_login(ada)
    reponse = client.post(
        reverse("admin:quartiers_utilisateur_add"),
        {
            "email": "ALICE@exemple.org",
            "password1": "Xy-tres-long-2026!",
            "password2": "Xy-tres-long-2026!",
            "usable_password": "true",
            "role_global": "",
            "affectations-TOTAL_FORMS": "0",
            "affectations-INITIAL_FORMS": "0",
        },
    )
    assert reponse.status_code == 200
    assert reponse.context["adminform"].form.errors["email"] == [DEJA_UTILISE]
    assert Utilisateur.objects.filter(email__iexact="alice@exemple.org").count() == 1


def test_un_compte_ne_prend_pas_le_courriel_d_un_autre_a_la_casse_pres(client, ada, alice, bob):
    client.force_login(ada)
    adresse = reverse("admin:quartiers_utilisateur_change", args=[bob.pk])
    donnees = {
        "email": "Alice@Exemple.org",
        "first_name": bob.first_name,
        "last_name": bob.last_name,
        "langue": "fr",
        "role_global": "",
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "affectations-TOTAL_FORMS": "0",
        "affectations-INITIAL_FORMS": "0",
    }
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 200
    assert reponse.context["adminform"].form.errors["email"] == [DEJA_UTILISE]
    donnees["email"] = "Bob@exemple.org"  # le sien, autrement écrit : permis
    assert client.post(adresse, donnees).status_code == 302
    bob.refresh_from_db()
    assert bob.email == "Bob@exemple.org"


def test_la_base_refuse_le_doublon_a_la_casse_pres(alice):
    double = Utilisateur(email="ALICE@EXEMPLE.ORG")
    with pytest.raises(ValidationError) as erreur:
        double.validate_constraints()
    assert erreur.value.messages == [DEJA_UTILISE]
    with pytest.raises(IntegrityError), transaction.atomic():
        Utilisateur.objects.create(email="ALICE@EXEMPLE.ORG")
