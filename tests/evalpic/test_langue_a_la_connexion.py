"""À la connexion dans un navigateur sans témoin de langue, la langue préférée de la personne
(`Utilisateur.langue`, celle de ses courriels) devient celle des pages : le lien d'un courriel
anglais ouvert dans un navigateur neuf mène, une fois connecté, à des pages en anglais, dès le
message de connexion. Une langue choisie avant de se connecter reste celle des pages. Le
sélecteur de langue la change ensuite, pour les pages comme pour les courriels."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.evalpic.test_pages_mfa import activer_par_la_page, code_juste

pytestmark = pytest.mark.django_db

LIEN_DU_RAPPEL = "/quartiers/quartier-a/saisies/2025-T1/"
TEMOIN = settings.LANGUAGE_COOKIE_NAME


def _connexion(client, personne, mot_de_passe, suivant: str = ""):
    url = reverse("account_login") + (f"?next={suivant}" if suivant else "")
    return client.post(url, {"login": personne.email, "password": mot_de_passe})


def test_l_anglophone_qui_suit_le_lien_du_rappel_voit_la_suite_en_anglais(
    client, alice, mot_de_passe
):
    alice.langue = "en"
    alice.save(update_fields=["langue"])
    vers_la_connexion = client.get(LIEN_DU_RAPPEL)  # navigateur neuf : aucun témoin
    assert vers_la_connexion.status_code == 302
    connexion = client.get(vers_la_connexion["Location"])
    assert connexion.headers["Content-Language"] == "fr"  # on ne la connaît pas encore

    reponse = client.post(
        vers_la_connexion["Location"], {"login": alice.email, "password": mot_de_passe}
    )
    assert reponse.status_code == 302
    assert reponse.cookies[TEMOIN].value == "en"
    assert reponse.headers["Content-Language"] == "en"
    (message,) = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert message == f"Successfully signed in as {alice.get_full_name()}."

    boite = client.get(reverse("boite_de_saisie"))
    assert boite.headers["Content-Language"] == "en"
    assert 'lang="en"' in boite.content.decode()


def test_le_message_de_connexion_est_dans_la_langue_de_la_personne(client, alice, mot_de_passe):
    alice.langue = "en"
    alice.save(update_fields=["langue"])
    reponse = _connexion(client, alice, mot_de_passe, suivant=reverse("profil"))
    page = client.get(reponse["Location"])
    contenu = page.content.decode()
    assert "Successfully signed in as" in contenu
    assert "Connexion avec" not in contenu


def test_la_langue_choisie_avant_de_se_connecter_reste_celle_des_pages(client, alice, mot_de_passe):
    """Choisie dans ce navigateur (le sélecteur de la page de connexion), une langue reste
    celle des pages après la connexion; celle des courriels ne change pas pour autant."""
    client.cookies[TEMOIN] = "en"
    reponse = _connexion(client, alice, mot_de_passe)  # alice a gardé le français
    assert TEMOIN not in reponse.cookies  # témoin inchangé
    assert reponse.headers["Content-Language"] == "en"
    assert client.get(reverse("profil")).headers["Content-Language"] == "en"
    alice.refresh_from_db()
    assert alice.langue == "fr"


def test_le_selecteur_change_ensuite_la_langue_des_pages_et_des_courriels(
    client, alice, mot_de_passe
):
    alice.langue = "en"
    alice.save(update_fields=["langue"])
    _connexion(client, alice, mot_de_passe)
    reponse = client.post(reverse("changer_langue"), {"langue": "fr", "suivant": reverse("profil")})
    assert reponse.cookies[TEMOIN].value == "fr"
    assert client.get(reverse("profil")).headers["Content-Language"] == "fr"
    alice.refresh_from_db()
    assert alice.langue == "fr"

    client.logout()
    _connexion(client, alice, mot_de_passe)  # la connexion suivante garde ce choix
    assert client.get(reverse("profil")).headers["Content-Language"] == "fr"


def test_la_connexion_avec_double_authentification_aussi(client, alice, mot_de_passe):
    secret = activer_par_la_page(client, alice, mot_de_passe)
    client.logout()
    client.cookies.clear()
    alice.langue = "en"
    alice.save(update_fields=["langue"])

    etape = _connexion(client, alice, mot_de_passe)
    assert etape["Location"] == reverse("mfa_authenticate")
    reponse = client.post(reverse("mfa_authenticate"), {"code": code_juste(secret)})
    assert reponse.status_code == 302
    assert reponse.cookies[TEMOIN].value == "en"
    assert client.get(reverse("profil")).headers["Content-Language"] == "en"
