"""L'ajout d'un commentaire par l'API, rejoué : `POST /api/v1/commentaires/` avec l'en-tête
`Idempotency-Key` (un UUID tiré par le client) répond 201 à la requête qui écrit, 200 avec le
même commentaire à chaque requête rejouée (une réponse perdue, un client qui réessaie), sans
second courriel; la même clé pour un autre commentaire répond 409 et n'écrit rien; une clé qui
n'est pas un UUID, 400. Sans l'en-tête, chaque requête écrit, comme avant.

Sur le code d'avant : l'en-tête était ignoré, le second envoi écrivait un second commentaire
(201) et envoyait un second courriel."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from rest_framework.test import APIClient

from indicateurs.models import CommentaireSaisie, Saisie, StatutPeriode
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

URL = "/api/v1/commentaires/"
QUESTION = "Pourquoi ce chiffre a-t-il doublé ?"


@pytest.fixture
def indicateur(quartier_a):
    indicateur = IndicateurFactory(code="menages", nom_fr="Ménages joints")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


@pytest.fixture
def saisie_a(quartier_a, indicateur) -> Saisie:
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    return Saisie.objects.create(table=quartier_a.table, periode=periode)


def _api(utilisateur, langue: str = "fr") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=langue)
    client.force_authenticate(utilisateur)
    return client


def _commenter(client: APIClient, saisie: Saisie, cle=None, **corps):
    entetes = {} if cle is None else {"HTTP_IDEMPOTENCY_KEY": str(cle)}
    return client.post(URL, {"saisie": saisie.pk, **corps}, format="json", **entetes)


def test_l_ajout_rejoue_avec_la_meme_cle_repond_200_sans_rien_ecrire(
    alice, bob, saisie_a, django_capture_on_commit_callbacks
):
    cle = uuid.uuid4()
    client = _api(bob)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        premiere = _commenter(client, saisie_a, cle, texte=QUESTION, indicateur="menages")
        rejouees = [
            _commenter(client, saisie_a, cle, texte=QUESTION, indicateur="menages")
            for _ in range(2)
        ]
    assert premiere.status_code == 201, premiere.content
    for rejouee in rejouees:
        assert rejouee.status_code == 200, rejouee.content
        assert rejouee.json() == premiere.json()
    assert CommentaireSaisie.objects.count() == 1
    assert premiere.json()["indicateur"] == "menages" and premiere.json()["texte"] == QUESTION
    assert [courriel.to for courriel in mail.outbox] == [[alice.email]]


def test_sans_la_cle_chaque_requete_ecrit_comme_avant(bob, saisie_a):
    client = _api(bob)
    assert [_commenter(client, saisie_a, texte=QUESTION).status_code for _ in range(2)] == [
        201,
        201,
    ]
    assert CommentaireSaisie.objects.count() == 2


@pytest.mark.parametrize(
    "ecart", [{"texte": "Autre chose."}, {"indicateur": "menages"}], ids=["texte", "indicateur"]
)
def test_la_meme_cle_pour_un_autre_commentaire_repond_409(bob, saisie_a, ecart):
    cle = uuid.uuid4()
    client = _api(bob)
    assert _commenter(client, saisie_a, cle, texte=QUESTION).status_code == 201
    reponse = _commenter(client, saisie_a, cle, **{"texte": QUESTION, **ecart})
    assert reponse.status_code == 409, reponse.content
    assert reponse.json()["detail"].startswith(
        "La clé Idempotency-Key a déjà servi à un autre commentaire"
    )
    assert list(CommentaireSaisie.objects.values_list("texte", flat=True)) == [QUESTION]


def test_la_cle_est_propre_a_la_personne(alice, bob, saisie_a):
    cle = uuid.uuid4()
    assert _commenter(_api(bob), saisie_a, cle, texte=QUESTION).status_code == 201
    assert _commenter(_api(alice), saisie_a, cle, texte=QUESTION).status_code == 201
    assert CommentaireSaisie.objects.count() == 2


@pytest.mark.parametrize("cle", ["", "pas-un-uuid", "1234"])
def test_une_cle_qui_n_est_pas_un_uuid_repond_400_sans_rien_ecrire(bob, saisie_a, cle):
    reponse = _commenter(_api(bob, "en"), saisie_a, cle, texte=QUESTION)
    assert reponse.status_code == 400, reponse.content
    assert list(reponse.json()) == ["Idempotency-Key"]
    assert not CommentaireSaisie.objects.exists()


def test_le_droit_passe_avant_la_cle(charlie, saisie_a):
    """Une saisie d'un autre quartier répond 404, quelle que soit la clé."""
    reponse = _commenter(_api(charlie), saisie_a, "pas-un-uuid", texte=QUESTION)
    assert reponse.status_code == 404
    assert not CommentaireSaisie.objects.exists()


def test_le_schema_documente_la_cle_le_rejeu_et_le_conflit():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/commentaires/"]["post"]
    (parametre,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert parametre["in"] == "header" and not parametre.get("required", False)
    assert parametre["schema"]["format"] == "uuid"
    assert {"200", "201", "409"} <= set(operation["responses"])
