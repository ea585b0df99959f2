"""Les jetons personnels d'API : créés, nommés, vus (dernier usage) et révoqués depuis le profil;
ils agissent avec les droits de leur personne."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quartiers.jetons import creer_jeton, empreinte, revoquer_jeton
from quartiers.models import JetonAPI
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db


def _connecter(client, personne) -> None:
    """Connectée, et son mot de passe redonné à l'instant : créer un jeton le demande
    (`ACCOUNT_REAUTHENTICATION_REQUIRED`, comme les courriels)."""
    client.force_login(personne)
    reponse = client.post(reverse("account_reauthenticate"), {"password": MOT_DE_PASSE})
    assert reponse.status_code == 302, reponse.content.decode()


def test_creer_un_jeton_montre_la_cle_une_seule_fois(client, alice):
    _connecter(client, alice)
    reponse = client.post(reverse("creer_jeton_api"), {"nom": "Tableur de la table"})
    assert reponse.status_code == 302  # post/redirect/get
    reponse = client.get(reponse["Location"])
    cle = reponse.context["cle"]
    assert cle in reponse.content.decode()
    jeton = JetonAPI.objects.get(utilisateur=alice)
    assert jeton.empreinte == empreinte(cle) and cle not in jeton.empreinte
    assert cle not in client.get(reverse("profil")).content.decode()


@pytest.mark.parametrize("nom", ["", "   ", "x" * 101])
def test_un_nom_invalide_ne_cree_rien(client, alice, nom):
    _connecter(client, alice)
    reponse = client.post(reverse("creer_jeton_api"), {"nom": nom})
    assert reponse.status_code == 400
    assert reponse.context["jeton_form"].errors["nom"]
    assert not JetonAPI.objects.exists()


def test_le_jeton_agit_avec_les_droits_de_sa_personne_et_note_son_usage(alice):
    jeton, cle = creer_jeton(utilisateur=alice, nom="script")
    api = APIClient()
    assert api.get("/api/v1/").status_code == 401
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {cle}").status_code == 200
    jeton.refresh_from_db()
    assert jeton.dernier_usage is not None


def test_un_jeton_revoque_recoit_401_aussitot(client, alice):
    jeton, cle = creer_jeton(utilisateur=alice, nom="script")
    api = APIClient()
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {cle}").status_code == 200
    client.force_login(alice)
    assert client.post(reverse("revoquer_jeton_api", args=[jeton.pk])).status_code == 302
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {cle}").status_code == 401


def test_on_ne_revoque_pas_le_jeton_d_une_autre_personne(client, alice, charlie):
    jeton, _cle = creer_jeton(utilisateur=alice, nom="script")
    client.force_login(charlie)
    assert client.post(reverse("revoquer_jeton_api", args=[jeton.pk])).status_code == 404
    jeton.refresh_from_db()
    assert jeton.revoque_le is None


@pytest.mark.parametrize("entete", ["Bearer", "Bearer a b", "Bearer inconnu", "Token \xe9"])
def test_un_entete_mal_forme_ou_inconnu_recoit_401(entete):
    reponse = APIClient().get("/api/v1/", HTTP_AUTHORIZATION=entete)
    assert reponse.status_code == 401


def test_le_jeton_d_un_compte_desactive_ne_vaut_plus(alice):
    _jeton, cle = creer_jeton(utilisateur=alice, nom="script")
    alice.is_active = False
    alice.save()
    assert APIClient().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {cle}").status_code == 401


def test_revoquer_deux_fois_ne_change_pas_la_date(alice):
    jeton, _cle = creer_jeton(utilisateur=alice, nom="script")
    revoquer_jeton(jeton=jeton)
    jeton.refresh_from_db()
    premiere = jeton.revoque_le
    revoquer_jeton(jeton=jeton)
    jeton.refresh_from_db()
    assert jeton.revoque_le == premiere
