"""Créer un jeton d'API suit post/redirect/get : recharger la page après la création ne
renvoie pas le formulaire (donc ne crée pas un second jeton); la clé du nouveau jeton est
montrée une seule fois, à l'affichage du profil qui suit, puis oubliée."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartiers.jetons import empreinte
from quartiers.models import JetonAPI
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db


def _connecter(client, personne) -> None:
    """Connectée, et son mot de passe redonné à l'instant : créer un jeton le demande
    (`ACCOUNT_REAUTHENTICATION_REQUIRED`, comme les courriels)."""
    client.force_login(personne)
    reponse = client.post(reverse("account_reauthenticate"), {"password": MOT_DE_PASSE})
    assert reponse.status_code == 302, reponse.content.decode()


def test_creer_un_jeton_redirige_vers_le_profil_qui_montre_la_cle_une_fois(client, alice):
    _connecter(client, alice)
    reponse = client.post(reverse("creer_jeton_api"), {"nom": "Tableur de la table"})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("profil") + "#jetons"
    jeton = JetonAPI.objects.get(utilisateur=alice)

    profil = client.get(reverse("profil"))
    assert profil.status_code == 200
    cle = profil.context["cle"]
    assert jeton.empreinte == empreinte(cle)
    html = profil.content.decode()
    assert cle in html and "Tableur de la table" in html
    assert "no-store" in profil["Cache-Control"]  # la clé ne reste dans aucun cache

    # Recharger la page : un GET, qui ne montre plus la clé et ne crée rien.
    encore = client.get(reverse("profil"))
    assert cle not in encore.content.decode()
    assert encore.context.get("cle") is None
    assert JetonAPI.objects.filter(utilisateur=alice).count() == 1


def test_la_cle_n_est_pas_gardee_en_clair_apres_l_affichage(client, alice):
    _connecter(client, alice)
    client.post(reverse("creer_jeton_api"), {"nom": "script"})
    client.get(reverse("profil"))
    session = client.session
    assert not any("evp_" in str(valeur) for valeur in session.values())


def test_la_cle_n_est_montree_qu_a_sa_personne(client, alice, charlie):
    _connecter(client, alice)
    client.post(reverse("creer_jeton_api"), {"nom": "script"})
    client.logout()
    _connecter(client, charlie)
    assert client.get(reverse("profil")).context.get("cle") is None


def test_un_nom_invalide_repond_400_sans_rediriger_ni_creer(client, alice):
    _connecter(client, alice)
    reponse = client.post(reverse("creer_jeton_api"), {"nom": "  "})
    assert reponse.status_code == 400
    assert reponse.context["jeton_form"].errors["nom"]
    assert not JetonAPI.objects.exists()
    assert client.get(reverse("profil")).context.get("cle") is None


def _formulaire_affiche(client) -> dict:
    """Les données du formulaire de création tel que le profil l'affiche (sa clé d'envoi)."""
    envoi = client.get(reverse("profil")).context["jeton_form"]["envoi"].value()
    return {"nom": "Tableur de la table", "envoi": str(envoi)}


def test_le_meme_formulaire_envoye_deux_fois_ne_cree_qu_un_jeton(client, alice):
    """Un double clic : deux POST du même formulaire. Le second ne crée rien, ne remplace pas la
    clé que le premier a mise de côté, et le dit."""
    _connecter(client, alice)
    donnees = _formulaire_affiche(client)
    assert client.post(reverse("creer_jeton_api"), donnees).status_code == 302
    second = client.post(reverse("creer_jeton_api"), donnees, follow=True)
    jeton = JetonAPI.objects.get(utilisateur=alice)  # un seul
    assert jeton.empreinte == empreinte(second.context["cle"])  # la clé du premier envoi
    assert "déjà créé le jeton « Tableur de la table »" in second.content.decode()


def test_chaque_affichage_du_formulaire_a_sa_cle_d_envoi(client, alice):
    _connecter(client, alice)
    client.post(reverse("creer_jeton_api"), _formulaire_affiche(client))
    client.post(reverse("creer_jeton_api"), _formulaire_affiche(client))
    assert JetonAPI.objects.filter(utilisateur=alice).count() == 2


def test_la_cle_d_envoi_d_une_autre_personne_est_refusee_sans_rien_creer(client, alice, charlie):
    _connecter(client, alice)
    donnees = _formulaire_affiche(client)
    client.post(reverse("creer_jeton_api"), donnees)
    _connecter(client, charlie)
    reponse = client.post(reverse("creer_jeton_api"), donnees)
    assert reponse.status_code == 400
    assert "Ce formulaire a expiré" in reponse.content.decode()
    assert not JetonAPI.objects.filter(utilisateur=charlie).exists()


def test_une_cle_d_envoi_illisible_ne_fait_pas_d_erreur_invisible(client, alice):
    """Le champ est caché : une clé fabriquée ne donne pas un 400 sans message, le jeton se crée
    (sans dédoublonnage possible)."""
    _connecter(client, alice)
    reponse = client.post(reverse("creer_jeton_api"), {"nom": "script", "envoi": "pas-une-cle"})
    assert reponse.status_code == 302
    assert JetonAPI.objects.filter(utilisateur=alice, cle_envoi=None).count() == 1
