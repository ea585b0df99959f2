"""Après un envoi refusé, le résumé des erreurs se trouve et se lit (audit d'accessibilité) : il
prend le focus au chargement (tabindex="-1", data-focus-au-chargement, js/erreurs.js servi
depuis les fichiers statiques, la CSP refusant les scripts en ligne), le titre de la page
commence par « Erreur : », et le jeton d'API refusé revient à sa propre alerte (#erreur-jeton)
au lieu d'une page sans alerte, son erreur sous l'écran. Le profil propose aussi le prénom et le
nom de la personne (autocomplete)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import MOT_DE_PASSE
from tests.html import balises as lire_balises

pytestmark = pytest.mark.django_db


def _titre(contenu: str) -> str:
    (titre,) = re.findall(r"<title>(.*?)</title>", contenu, re.S)
    return titre.strip()


def _alertes_a_focaliser(contenu: str) -> list[dict]:
    return [
        attributs
        for nom, attributs in lire_balises(contenu)
        if attributs.get("role") == "alert" and "data-focus-au-chargement" in attributs
    ]


def _assert_resume_focalise(contenu: str) -> None:
    alertes = _alertes_a_focaliser(contenu)
    assert alertes, "aucune alerte ne prend le focus au chargement"
    assert alertes[0].get("tabindex") == "-1"
    assert '<script src="/static/js/erreurs.js"></script>' in contenu
    assert _titre(contenu).startswith("Erreur : ")


def test_le_script_du_focus_est_un_fichier_statique():
    """Ni script en ligne (la CSP le bloquerait) ni dépendance : un fichier de nos statiques."""
    chemin = finders.find("js/erreurs.js")
    assert chemin, "static/js/erreurs.js manque"
    with open(chemin, encoding="utf-8") as fichier:
        source = fichier.read()
    assert "[data-focus-au-chargement]" in source and ".focus()" in source
    assert settings.EVALPIC_CSP["script-src"] == ["'self'"]


def test_une_connexion_refusee_focalise_son_alerte_et_le_dit_au_titre(client, alice):
    reponse = client.post(reverse("account_login"), {"login": "", "password": ""})
    contenu = reponse.content.decode()
    _assert_resume_focalise(contenu)
    assert _titre(contenu) == "Erreur : Connexion · ÉvalPIC"
    reponse = client.post(
        reverse("account_login"), {"login": "alice@exemple.org", "password": "mauvais"}
    )
    _assert_resume_focalise(reponse.content.decode())


def test_une_page_sans_erreur_n_a_ni_prefixe_ni_alerte_a_focaliser(client, alice):
    contenu = client.get(reverse("account_login")).content.decode()
    assert _titre(contenu) == "Connexion · ÉvalPIC"
    assert not _alertes_a_focaliser(contenu)


def test_les_formulaires_du_registre_et_des_apprentissages_focalisent_leur_resume(
    client, alice, quartier_a
):
    client.force_login(alice)
    for adresse, donnees in [
        (reverse("partenaire_inscrire", args=[quartier_a.slug]), {"nom": "Test", "debut": "x"}),
        (reverse("apprentissage_nouveau", args=[quartier_a.slug]), {}),
        (reverse("import_valeurs", args=[quartier_a.slug]), {"action": "verifier"}),
    ]:
        reponse = client.post(adresse, donnees)
        assert reponse.status_code == 400, adresse
        _assert_resume_focalise(reponse.content.decode())


def _connecter_et_confirmer(client, personne) -> None:
    client.force_login(personne)
    reponse = client.post(reverse("account_reauthenticate"), {"password": MOT_DE_PASSE})
    assert reponse.status_code == 302


def test_un_jeton_sans_nom_revient_a_son_alerte_sous_le_titre_des_jetons(client, alice):
    _connecter_et_confirmer(client, alice)
    reponse = client.post(reverse("creer_jeton_api"), {"nom": ""})
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    _assert_resume_focalise(contenu)
    assert _titre(contenu) == "Erreur : Mon profil · ÉvalPIC"
    balises = lire_balises(contenu)
    rangs = {
        "titre": next(i for i, (n, a) in enumerate(balises) if a.get("id") == "jetons"),
        "alerte": next(i for i, (n, a) in enumerate(balises) if a.get("id") == "erreur-jeton"),
        "formulaire": next(
            i
            for i, (n, a) in enumerate(balises)
            if n == "form" and (a.get("action") or "").startswith(reverse("creer_jeton_api"))
        ),
    }
    # L'alerte du jeton, sous le titre des jetons et avant leur formulaire, qui y renvoie.
    assert rangs["titre"] < rangs["alerte"] < rangs["formulaire"]
    alerte = balises[rangs["alerte"]][1]
    assert alerte.get("role") == "alert" and "data-focus-au-chargement" in alerte
    formulaire = balises[rangs["formulaire"]][1]
    assert formulaire["action"] == reverse("creer_jeton_api") + "#erreur-jeton"
    # Le formulaire du profil garde son adresse sur cette page (/profil/jetons/) : sans action,
    # il envoyait le prénom et le nom à la création d'un jeton.
    profil = next(a for n, a in balises if n == "form" and a.get("class") == "formulaire")
    assert profil.get("action") == reverse("profil")


def test_un_jeton_cree_redirige_toujours_vers_les_jetons(client, alice):
    _connecter_et_confirmer(client, alice)
    reponse = client.post(reverse("creer_jeton_api"), {"nom": "Tableur"})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("profil") + "#jetons"


def test_le_profil_propose_le_prenom_et_le_nom_de_la_personne(client, alice):
    client.force_login(alice)
    champs = {
        a.get("name"): a for n, a in lire_balises(client.get(reverse("profil")).content.decode())
    }
    assert champs["first_name"].get("autocomplete") == "given-name"
    assert champs["last_name"].get("autocomplete") == "family-name"
