"""Un objet absent ou invisible répond 404 avec un message traduit qui ne nomme aucune classe
(« Quartier introuvable. », « Saisie introuvable. »…, sinon « Ressource introuvable. »), sur
chaque route de détail et chaque action d'un objet; un refus CSRF d'une écriture par session
dit, traduit, ce qu'il faut envoyer."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from evalpic.api.urls import routeur
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

API = "/api/v1"

# Chaque route de détail, avec un identifiant absent, et le message attendu (français, anglais).
QUARTIER = ("Quartier introuvable.", "Neighbourhood not found.")
RESSOURCE = ("Ressource introuvable.", "Resource not found.")
SAISIE = ("Saisie introuvable.", "Data entry not found.")
DETAILS = [
    ("get", "quartiers/absent/", QUARTIER),
    ("get", "tables/999999/", RESSOURCE),
    ("get", "partenaires/999999/", ("Partenaire introuvable.", "Partner not found.")),
    ("get", "participations/999999/", ("Participation introuvable.", "Participation not found.")),
    ("get", "indicateurs/absent/", ("Indicateur introuvable.", "Indicator not found.")),
    ("get", "strategies/999999/", RESSOURCE),
    ("get", "changements/999999/", RESSOURCE),
    ("get", "actions/999999/", RESSOURCE),
    ("get", "indicateurs-suivis/999999/", RESSOURCE),
    ("get", "periodes/999999/", ("Période introuvable.", "Period not found.")),
    ("get", "apprentissages/999999/", ("Apprentissage introuvable.", "Learning not found.")),
    ("get", "saisies/999999/", SAISIE),
    ("get", "saisies/abc/", SAISIE),
    ("post", "saisies/999999/soumettre/", SAISIE),
    ("post", "saisies/999999/valider/", SAISIE),
    ("post", "saisies/999999/renvoyer/", SAISIE),
    ("post", "saisies/999999/rouvrir/", SAISIE),
    ("put", "saisies/999999/valeurs/", SAISIE),
    ("get", "valeurs/999999/", RESSOURCE),
    ("get", "bilans/999999/", ("Bilan introuvable.", "Report not found.")),
    ("get", "bilans/999999/fichier/pdf/", ("Bilan introuvable.", "Report not found.")),
]


@pytest.mark.parametrize(("langue", "rang"), [("fr", 0), ("en", 1)])
@pytest.mark.parametrize(("methode", "adresse", "messages"), DETAILS)
def test_un_detail_absent_repond_un_404_traduit_sans_nom_de_modele(
    eve, methode, adresse, messages, langue, rang
):
    client = APIClient()
    client.force_authenticate(eve)
    reponse = getattr(client, methode)(
        f"{API}/{adresse}", {}, format="json", HTTP_ACCEPT_LANGUAGE=langue, HTTP_IF_MATCH='"1"'
    )
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": messages[rang]}


def test_le_quartier_d_un_autre_repond_comme_un_quartier_absent(alice, quartier_b):
    client = APIClient()
    client.force_authenticate(alice)
    reponse = client.get(f"{API}/quartiers/{quartier_b.slug}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Quartier introuvable."}


def test_chaque_ressource_de_l_api_traduit_son_404():
    # (evalpic.api.commun n'est pas importé ici le premier : les réglages de DRF l'importent.)
    sans = [
        prefixe
        for prefixe, vue, _ in routeur.registry
        if "IntrouvableTraduit" not in {classe.__name__ for classe in vue.__mro__}
    ]
    assert sans == []


@pytest.mark.parametrize(
    ("langue", "debut"),
    [("fr", "Vérification CSRF refusée"), ("en", "CSRF verification")],
)
def test_une_ecriture_par_session_sans_jeton_csrf_est_refusee_avec_un_message_traduit(
    alice, quartier_a, langue, debut
):
    navigateur = Client(enforce_csrf_checks=True)
    assert navigateur.login(email=alice.email, password=MOT_DE_PASSE)
    reponse = navigateur.post(
        f"{API}/apprentissages/",
        {"quartier": quartier_a.slug, "periode": "2025-T1", "categorie": "defis", "texte_fr": "x"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=langue,
    )
    assert reponse.status_code == 403
    detail = reponse.json()["detail"]
    assert "CSRF Failed" not in detail
    if langue == "fr":
        assert detail.startswith(debut)
        assert "X-CSRFToken" in detail
