"""Le rôle « administrateur·trice » ouvre l'administration, et lui seul. Avant : le rôle donné
dans l'admin laissait « statut équipe » décoché, et la nouvelle administratrice, qui a tous les
droits dans le site (quartiers.acces), était renvoyée de /admin/ à la connexion et n'avait pas le
lien « Administration »; cochée à la main sans « superutilisateur », /admin/ lui disait qu'elle
n'avait le droit de rien voir. Les statuts suivent maintenant le rôle (en lecture seule)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartiers.models import Utilisateur

pytestmark = pytest.mark.django_db

LIEN = f'<a href="{reverse("admin:index")}">Administration</a>'


def _ajout(courriel: str, role: str, **champs) -> dict:
    return {
        "email": courriel,
        "password1": "Xy-tres-long-2026!",
        "password2": "Xy-tres-long-2026!",
        "usable_password": "true",
        "role_global": role,
        "affectations-TOTAL_FORMS": "0",
        "affectations-INITIAL_FORMS": "0",
        **champs,
    }


def _fiche(personne, role: str, **champs) -> dict:
    return {
        "email": personne.email,
        "first_name": personne.first_name,
        "last_name": personne.last_name,
        "langue": "fr",
        "role_global": role,
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "affectations-TOTAL_FORMS": "0",
        "affectations-INITIAL_FORMS": "0",
        **champs,
    }


def _ouvre_l_administration(personne) -> bool:
    session = Client()
    session.force_login(personne)
    lien = LIEN in session.get(reverse("accueil")).content.decode()
    index = session.get(reverse("admin:index"))
    ouvre = index.status_code == 200 and "Double authentification" in index.content.decode()
    assert lien == ouvre, "le lien du menu suit ce que /admin/ permet"
    return ouvre


def test_une_administratrice_creee_dans_l_admin_ouvre_l_administration(client, ada):
    client.force_login(ada)
    reponse = client.post(
        reverse("admin:quartiers_utilisateur_add"), _ajout("ada2@exemple.org", "admin")
    )
    assert reponse.status_code == 302
    nouvelle = Utilisateur.objects.get(email="ada2@exemple.org")
    assert nouvelle.is_staff and nouvelle.is_superuser
    assert _ouvre_l_administration(nouvelle)


def test_les_autres_roles_n_ouvrent_pas_l_administration(client, ada, eve):
    client.force_login(ada)
    # Cochés à la main (page fabriquée) : les statuts suivent quand même le rôle.
    donnees = _ajout("eve2@exemple.org", "evaluateur", is_staff="on", is_superuser="on")
    client.post(reverse("admin:quartiers_utilisateur_add"), donnees)
    evaluatrice = Utilisateur.objects.get(email="eve2@exemple.org")
    assert not evaluatrice.is_staff and not evaluatrice.is_superuser
    assert not _ouvre_l_administration(evaluatrice)
    # Une administratrice qui devient évaluatrice perd l'administration.
    ancienne = Utilisateur.objects.create_superuser("ancienne@exemple.org", "x")
    fiche = reverse("admin:quartiers_utilisateur_change", args=[ancienne.pk])
    assert client.post(fiche, _fiche(ancienne, "evaluateur")).status_code == 302
    ancienne.refresh_from_db()
    assert (ancienne.is_staff, ancienne.is_superuser) == (False, False)
    assert not _ouvre_l_administration(ancienne)


def test_devenir_administratrice_sur_la_fiche(client, ada, eve):
    client.force_login(ada)
    fiche = reverse("admin:quartiers_utilisateur_change", args=[eve.pk])
    contenu = client.get(fiche).content.decode()
    assert 'name="is_staff"' not in contenu and 'name="is_superuser"' not in contenu
    assert "ouvre l'administration avec tous les droits" in contenu
    assert client.post(fiche, _fiche(eve, "admin")).status_code == 302
    eve.refresh_from_db()
    assert eve.is_staff and eve.is_superuser
    assert _ouvre_l_administration(eve)
