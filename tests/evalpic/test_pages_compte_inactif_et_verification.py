"""Deux pages d'allauth dans les mots du site (templates/account/). Avant : « Ce compte est
inactif. » sans dire à qui s'adresser, et « Vérifiez votre adresse e-mail … pour terminer
l'inscription » alors que personne ne s'inscrit (les comptes sont créés par l'administration) et
que le site dit « courriel »."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _page_du_site(contenu: str) -> None:
    assert 'class="entete"' in contenu and 'class="carte carte--etroite"' in contenu
    assert "e-mail" not in contenu.lower() and "inscription" not in contenu.lower()


def test_un_compte_desactive_sait_a_qui_s_adresser(alice, mot_de_passe):
    alice.is_active = False
    alice.save()
    session = Client()
    reponse = session.post(
        reverse("account_login"), {"login": alice.email, "password": mot_de_passe}
    )
    assert reponse["Location"] == reverse("account_inactive")
    contenu = session.get(reponse["Location"]).content.decode()
    _page_du_site(contenu)
    assert "Ce compte a été désactivé : il ne peut plus se connecter à ÉvalPIC." in html.unescape(
        contenu
    )
    assert "communiquez avec l'administration d'ÉvalPIC" in html.unescape(contenu)


@pytest.mark.parametrize("connecte", [False, True])
def test_la_verification_envoyee_parle_de_courriel_et_non_d_inscription(client, alice, connecte):
    if connecte:
        client.force_login(alice)
    contenu = client.get(reverse("account_email_verification_sent")).content.decode()
    _page_du_site(contenu)
    assert "<h1>Vérifiez votre courriel</h1>" in contenu
    retour = reverse("account_email") if connecte else reverse("account_login")
    assert f'href="{retour}"' in contenu
