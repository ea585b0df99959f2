"""Créer un jeton d'API suit post/redirect/get : recharger la page après la création ne
renvoie pas le formulaire (donc ne crée pas un second jeton); la clé du nouveau jeton est
montrée une seule fois, à l'affichage du profil qui suit, puis oubliée."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartiers.jetons import empreinte
from quartiers.models import JetonAPI

pytestmark = pytest.mark.django_db


def test_creer_un_jeton_redirige_vers_le_profil_qui_montre_la_cle_une_fois(client, alice):
    client.force_login(alice)
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
    client.force_login(alice)
    client.post(reverse("creer_jeton_api"), {"nom": "script"})
    client.get(reverse("profil"))
    session = client.session
    assert not any("evp_" in str(valeur) for valeur in session.values())


def test_la_cle_n_est_montree_qu_a_sa_personne(client, alice, charlie):
    client.force_login(alice)
    client.post(reverse("creer_jeton_api"), {"nom": "script"})
    client.logout()
    client.force_login(charlie)
    assert client.get(reverse("profil")).context.get("cle") is None


def test_un_nom_invalide_repond_400_sans_rediriger_ni_creer(client, alice):
    client.force_login(alice)
    reponse = client.post(reverse("creer_jeton_api"), {"nom": "  "})
    assert reponse.status_code == 400
    assert reponse.context["jeton_form"].errors["nom"]
    assert not JetonAPI.objects.exists()
    assert client.get(reverse("profil")).context.get("cle") is None
