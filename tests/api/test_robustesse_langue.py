"""La langue des réponses de l'API (evalpic.middleware.LangueMiddleware), du choix le plus
explicite au plus général : le témoin de langue, puis l'en-tête Accept-Language (API seulement),
puis la langue préférée de la personne à qui est le jeton, puis le français. Les pages du site
ne lisent pas Accept-Language."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.api import test_saisies_bilans as base
from tests.api.test_saisies_bilans import client_de

# Les données des tests de l'API des saisies (A et B remplis pour 2025-T1).
_fichiers_temporaires = base._fichiers_temporaires
periode = base.periode
indicateurs = base.indicateurs
monde = base.monde

pytestmark = pytest.mark.django_db

API = "/api/v1"
PERIODE_INCONNUE = {"fr": "Période introuvable.", "en": "Period not found."}


def _refus(client, **entetes) -> tuple[str, str]:
    """Le message d'une erreur produite après l'authentification (création de saisie pour une
    période inconnue) et la langue annoncée par la réponse."""
    reponse = client.post(
        f"{API}/saisies/",
        {"quartier": "quartier-a", "periode": "2019-T1"},
        format="json",
        **entetes,
    )
    assert reponse.status_code in (400, 404), reponse.content
    return str(reponse.json()), reponse["Content-Language"]


@pytest.fixture
def alice_anglophone(alice):
    alice.langue = "en"
    alice.save(update_fields=["langue"])
    return alice


def _message_de(langue: str, texte: str) -> bool:
    return PERIODE_INCONNUE[langue] in texte


def test_jeton_sans_rien_choisi_le_francais_par_defaut(monde, alice):
    texte, langue = _refus(client_de(alice, "jeton"))
    assert langue == "fr" and _message_de("fr", texte)


def test_jeton_d_une_personne_anglophone_sans_choix_explicite_en_anglais(monde, alice_anglophone):
    texte, langue = _refus(client_de(alice_anglophone, "jeton"))
    assert langue == "en" and _message_de("en", texte)


def test_accept_language_choisit_l_anglais_pour_un_jeton(monde, alice):
    texte, langue = _refus(client_de(alice, "jeton"), HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9")
    assert langue == "en" and _message_de("en", texte)


def test_accept_language_l_emporte_sur_la_langue_de_la_personne(monde, alice_anglophone):
    texte, langue = _refus(client_de(alice_anglophone, "jeton"), HTTP_ACCEPT_LANGUAGE="fr")
    assert langue == "fr" and _message_de("fr", texte)


def test_une_langue_inconnue_de_l_entete_laisse_choisir_la_personne(monde, alice_anglophone):
    texte, langue = _refus(client_de(alice_anglophone, "jeton"), HTTP_ACCEPT_LANGUAGE="de, *")
    assert langue == "en" and _message_de("en", texte)


def test_le_temoin_l_emporte_sur_l_entete_et_sur_la_personne(monde, alice_anglophone):
    client = client_de(alice_anglophone, "jeton")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    texte, langue = _refus(client, HTTP_ACCEPT_LANGUAGE="en")
    assert langue == "fr" and _message_de("fr", texte)


def test_session_avec_le_temoin_anglais(monde, alice):
    client = client_de(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    texte, langue = _refus(client)
    assert langue == "en" and _message_de("en", texte)


def test_adresse_inconnue_de_l_api_dans_la_langue_de_la_personne(alice_anglophone):
    reponse = client_de(alice_anglophone, "jeton").get(f"{API}/inexistant/")
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Resource not found."}


def test_adresse_inconnue_de_l_api_selon_accept_language(alice):
    reponse = client_de(alice, "jeton").get(f"{API}/inexistant/", HTTP_ACCEPT_LANGUAGE="en")
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Resource not found."}


def test_adresse_inconnue_de_l_api_sans_authentification(client):
    """Sans jeton, le 401 d'une vraie ressource (tests/api/test_adresse_inconnue.py)."""
    reponse = client.post(f"{API}/inexistant/", HTTP_ACCEPT_LANGUAGE="en")
    assert reponse.status_code == 401
    assert reponse.json() == {"detail": "Authentication credentials were not provided."}


def test_l_api_varie_selon_accept_language(monde, alice):
    reponse = client_de(alice, "jeton").get(f"{API}/saisies/")
    vary = {v.strip().lower() for v in reponse["Vary"].split(",")}
    assert {"accept", "cookie", "accept-language"} <= vary


def test_les_pages_du_site_ignorent_accept_language(client, alice):
    client.force_login(alice)
    reponse = client.get("/profil/", HTTP_ACCEPT_LANGUAGE="en")
    assert reponse["Content-Language"] == "fr"
    assert "Accept-Language" not in reponse.get("Vary", "")
