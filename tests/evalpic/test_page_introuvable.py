"""La page 404 dit pourquoi quand le code donne une raison, dans la langue de la personne."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from quartiers.jetons import creer_jeton
from quartiers.models import JetonAPI

pytestmark = pytest.mark.django_db


def test_un_404_montre_sa_raison(client, alice, quartier_a):
    client.force_login(alice)
    reponse = client.get(reverse("saisie_formulaire", args=[quartier_a.slug, "2025-T9"]))
    assert reponse.status_code == 404
    assert "Période introuvable." in reponse.content.decode()


def test_la_raison_d_un_404_est_traduite(client, alice, quartier_a):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    reponse = client.get(reverse("saisie_formulaire", args=[quartier_a.slug, "2025-T9"]))
    assert reponse.status_code == 404
    contenu = reponse.content.decode()
    assert "Period not found." in contenu and "Période introuvable." not in contenu


def test_une_adresse_inconnue_montre_le_texte_general_sans_details(client, alice):
    client.force_login(alice)
    reponse = client.get("/nulle-part/")
    assert reponse.status_code == 404
    contenu = reponse.content.decode()
    assert "Cette page n&#x27;existe pas" in contenu or "Cette page n'existe pas" in contenu
    assert 'class="raison"' not in contenu and "tried" not in contenu


def test_revoquer_le_jeton_d_une_autre_personne_repond_404_sans_rien_revoquer(
    client, alice, charlie
):
    jeton, _cle = creer_jeton(utilisateur=charlie, nom="Tableur")
    client.force_login(alice)
    reponse = client.post(reverse("revoquer_jeton_api", args=[jeton.pk]))
    assert reponse.status_code == 404
    assert "Jeton introuvable." in reponse.content.decode()
    assert JetonAPI.objects.get(pk=jeton.pk).revoque_le is None


def test_le_404_d_un_jeton_est_traduit(client, alice, charlie):
    jeton, _cle = creer_jeton(utilisateur=charlie, nom="Tableur")
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    reponse = client.post(reverse("revoquer_jeton_api", args=[jeton.pk]))
    assert reponse.status_code == 404 and "Token not found." in reponse.content.decode()
