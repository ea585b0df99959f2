"""Retirer le mot de passe d'un compte révoque ses jetons d'API.

L'administration (« Changer le mot de passe » → « Authentification par mot de passe :
désactivée ») appelle `set_unusable_password`, la façon naturelle de bloquer un compte
compromis : ses sessions tombent (leur empreinte suit le mot de passe), mais ses jetons
répondaient encore, la révocation ne regardant que `set_password`. Ni la mise à niveau du
hachage à la connexion ni un profil enregistré ne révoquent quoi que ce soit (voir
test_w3_jetons_et_mot_de_passe).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quartiers.jetons import creer_jeton
from quartiers.models import JetonAPI, MotifRevocation

pytestmark = pytest.mark.django_db


def _api_repond(cle: str) -> int:
    return APIClient().get("/api/v1/quartiers/", HTTP_AUTHORIZATION=f"Bearer {cle}").status_code


def test_l_administration_qui_desactive_le_mot_de_passe_revoque_les_jetons(
    client, ada, alice, charlie
):
    jeton, cle = creer_jeton(utilisateur=alice, nom="script")
    _autre, cle_de_charlie = creer_jeton(utilisateur=charlie, nom="de Charlie")
    assert _api_repond(cle) == 200
    client.force_login(ada)
    reponse = client.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"usable_password": "false", "password1": "", "password2": "", "unset-password": "1"},
    )
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    alice.refresh_from_db()
    assert not alice.has_usable_password()
    jeton.refresh_from_db()
    assert jeton.revoque_le is not None
    assert jeton.motif_revocation == MotifRevocation.MOT_DE_PASSE
    assert _api_repond(cle) == 401
    assert _api_repond(cle_de_charlie) == 200


@pytest.mark.parametrize("retirer", ["set_unusable_password", "set_password_none"])
def test_retirer_le_mot_de_passe_dans_le_code_revoque_les_jetons(alice, retirer):
    creer_jeton(utilisateur=alice, nom="script")
    if retirer == "set_unusable_password":
        alice.set_unusable_password()
    else:
        alice.set_password(None)
    alice.save()
    assert not JetonAPI.objects.actifs().filter(utilisateur=alice).exists()
    # La marque ne vaut que pour cet enregistrement : un jeton créé ensuite survit au suivant.
    creer_jeton(utilisateur=alice, nom="après")
    alice.first_name = "Alicia"
    alice.save()
    assert JetonAPI.objects.actifs().filter(utilisateur=alice).count() == 1


def test_un_profil_enregistre_d_un_compte_sans_mot_de_passe_ne_revoque_rien(alice):
    type(alice).objects.filter(pk=alice.pk).update(password="!sans-mot-de-passe")
    alice.refresh_from_db()
    _jeton, cle = creer_jeton(utilisateur=alice, nom="script")
    alice.first_name = "Alicia"
    alice.save()
    assert _api_repond(cle) == 200
    assert JetonAPI.objects.actifs().filter(utilisateur=alice).count() == 1
