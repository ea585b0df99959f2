"""Les pages de la stratégie soumise à l'évaluation : la matrice d'accès de la coordination (son
quartier : préparer, modifier, soumettre, abandonner; adopter et renvoyer : 403; l'autre
quartier : 404; le conseil : 404 sur le brouillon, 403 en préparant), le parcours soumettre →
409 → renvoyer avec un motif → modifier → soumettre → adopter, les boutons et l'état sur la
théorie du changement, la liste des brouillons soumis sur la page des propositions, l'API, et
des requêtes en nombre constant.

Sur l'ancien code, la coordination recevait 403 ou 404 partout, et ces adresses n'existaient
pas (NoReverseMatch)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from indicateurs import services_strategie as services
from indicateurs.models import LienDeChangement, StrategieDeChangement
from tests.factories import ChangementViseFactory, IndicateurFactory
from tests.test_w1s15_strategie_services import construire

pytestmark = pytest.mark.django_db

ADOPTION = {"adoptee_le": "2025-02-01"}


@pytest.fixture
def brouillon(alice, quartier_a):
    construire(quartier_a)
    return services.preparer_version(utilisateur=alice, quartier=quartier_a)[0]


def _url(nom: str, quartier, pk: int) -> str:
    return reverse(nom, kwargs={"slug": quartier.slug, "pk": pk})


def _theorie(quartier) -> str:
    return reverse("theorie_du_changement", kwargs={"slug": quartier.slug})


def _relu(brouillon) -> StrategieDeChangement:
    return StrategieDeChangement.objects.get(pk=brouillon.pk)


# --- Accès --------------------------------------------------------------------------------------


def test_la_coordination_de_son_quartier(client, alice, quartier_a):
    construire(quartier_a)
    client.force_login(alice)
    preparer = client.post(reverse("strategie_preparer", kwargs={"slug": quartier_a.slug}))
    brouillon = quartier_a.strategies.get(statut="brouillon")
    assert preparer.status_code == 302
    assert preparer["Location"] == _url("strategie_brouillon", quartier_a, brouillon.pk)
    changement = brouillon.changements.first()
    for nom, pk in (
        ("strategie_brouillon", brouillon.pk),
        ("strategie_changement_ajouter", brouillon.pk),
        ("strategie_changement_modifier", changement.pk),
        ("strategie_abandonner", brouillon.pk),
    ):
        assert client.get(_url(nom, quartier_a, pk)).status_code == 200, nom
    for nom in ("strategie_adopter", "strategie_renvoyer"):
        assert client.get(_url(nom, quartier_a, brouillon.pk)).status_code == 403, nom
        envoi = {**ADOPTION, "motif": "X"}
        assert client.post(_url(nom, quartier_a, brouillon.pk), envoi).status_code == 403, nom
    modifier = client.post(
        _url("strategie_brouillon", quartier_a, brouillon.pk), {"titre": "Le nôtre", "vision": ""}
    )
    assert modifier.status_code == 302 and _relu(brouillon).titre == "Le nôtre"
    assert _relu(brouillon).statut == "brouillon"
    assert client.post(_url("strategie_abandonner", quartier_a, brouillon.pk)).status_code == 302
    assert not StrategieDeChangement.objects.filter(pk=brouillon.pk).exists()


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_le_conseil_et_l_autre_quartier_ne_voient_pas_le_brouillon(
    client, personas, brouillon, quartier_a, persona
):
    client.force_login(personas[persona])
    for nom in (
        "strategie_brouillon",
        "strategie_adopter",
        "strategie_renvoyer",
        "strategie_abandonner",
    ):
        assert client.get(_url(nom, quartier_a, brouillon.pk)).status_code == 404, nom
    assert client.post(_url("strategie_soumettre", quartier_a, brouillon.pk)).status_code == 404
    preparer = client.post(reverse("strategie_preparer", kwargs={"slug": quartier_a.slug}))
    assert preparer.status_code == (403 if persona == "bob" else 404)
    assert not _relu(brouillon).soumise_le
    assert client.get(_theorie(quartier_a), {"version": 3}).status_code == 404


def test_la_coordination_d_un_autre_quartier_sous_son_adresse(client, charlie, brouillon):
    """Charlie, sous l'adresse de son quartier B, le brouillon de A : 404."""
    client.force_login(charlie)
    url = _url("strategie_brouillon", charlie.affectations.get().quartier, brouillon.pk)
    assert client.get(url).status_code == 404


# --- Le parcours --------------------------------------------------------------------------------


def test_soumettre_409_renvoyer_modifier_soumettre_adopter(
    client, alice, eve, brouillon, quartier_a
):
    url = _url("strategie_brouillon", quartier_a, brouillon.pk)
    client.force_login(alice)
    soumis = client.post(_url("strategie_soumettre", quartier_a, brouillon.pk))
    assert soumis.status_code == 302 and _relu(brouillon).soumise_par == alice
    page = client.get(url).content.decode()
    assert "Soumise à l'évaluation le" in page and "Alice" in page
    assert "Enregistrer le titre et la vision" not in page  # en lecture seule
    assert "strategie/changements/" not in page
    refus = client.post(url, {"titre": "Trop tard", "vision": ""})
    assert refus.status_code == 409
    assert "soumis à l&#x27;évaluation" in refus.content.decode()
    for nom, pk in (
        ("strategie_changement_ajouter", brouillon.pk),
        ("strategie_changement_modifier", brouillon.changements.first().pk),
        ("strategie_abandonner", brouillon.pk),
    ):
        assert client.get(_url(nom, quartier_a, pk)).status_code == 409, nom
    assert client.post(_url("strategie_soumettre", quartier_a, brouillon.pk)).status_code == 409
    assert _relu(brouillon).titre == "Mieux vivre"

    client.force_login(eve)
    assert "Examiner le brouillon" in client.get(_theorie(quartier_a)).content.decode()
    liste = client.get(reverse("propositions")).content.decode()
    assert url in liste and "Quartier A, version 3" in liste
    renvoyer = _url("strategie_renvoyer", quartier_a, brouillon.pk)
    assert client.get(renvoyer).status_code == 200
    sans_motif = client.post(renvoyer, {"motif": " "})
    assert sans_motif.status_code == 400 and sans_motif.context["form"].errors["motif"]
    assert _relu(brouillon).soumise_le is not None
    assert client.post(renvoyer, {"motif": "Ajoutez le logement."}).status_code == 302
    assert client.post(renvoyer, {"motif": "Encore"}).status_code == 409  # plus soumis
    assert url not in client.get(reverse("propositions")).content.decode()

    client.force_login(alice)
    theorie = client.get(_theorie(quartier_a)).content.decode()
    assert "Renvoyée le" in theorie and "Ajoutez le logement." in theorie
    assert "Modifier le brouillon" in theorie
    assert "Ajoutez le logement." in client.get(url).content.decode()
    assert client.post(url, {"titre": "Avec le logement", "vision": ""}).status_code == 302
    assert client.post(_url("strategie_soumettre", quartier_a, brouillon.pk)).status_code == 302

    client.force_login(eve)
    adopter = client.post(_url("strategie_adopter", quartier_a, brouillon.pk), ADOPTION)
    assert adopter.status_code == 302
    lu = _relu(brouillon)
    assert (lu.statut, lu.titre) == ("en_vigueur", "Avec le logement")


def test_un_brouillon_vide_ne_se_soumet_pas(client, alice, quartier_a):
    client.force_login(alice)
    client.post(reverse("strategie_preparer", kwargs={"slug": quartier_a.slug}))
    vide = quartier_a.strategies.get()
    reponse = client.post(_url("strategie_soumettre", quartier_a, vide.pk))
    assert reponse.status_code == 400 and "aucun changement visé" in reponse.content.decode()
    assert not _relu(vide).soumise_le


# --- Théorie du changement : les boutons de chacun ----------------------------------------------


def test_les_boutons_de_la_theorie_selon_le_role(client, alice, bob, eve, quartier_a):
    construire(quartier_a)
    preparer = reverse("strategie_preparer", kwargs={"slug": quartier_a.slug})
    for persona, voit in ((alice, True), (bob, False), (eve, True)):
        client.force_login(persona)
        assert (preparer in client.get(_theorie(quartier_a)).content.decode()) is voit
    client.force_login(alice)
    client.post(preparer)
    brouillon = quartier_a.strategies.get(statut="brouillon")
    page = client.get(_theorie(quartier_a)).content.decode()
    assert "Modifier le brouillon" in page and 'value="3"' in page
    assert client.get(_theorie(quartier_a), {"version": 3}).status_code == 200
    brouillon_page = client.get(_url("strategie_brouillon", quartier_a, brouillon.pk))
    contenu = brouillon_page.content.decode()
    assert "Soumettre à l'évaluation" in contenu
    assert _url("strategie_adopter", quartier_a, brouillon.pk) not in contenu
    client.force_login(eve)
    contenu = client.get(_url("strategie_brouillon", quartier_a, brouillon.pk)).content.decode()
    assert _url("strategie_adopter", quartier_a, brouillon.pk) in contenu
    assert "Soumettre à l'évaluation" not in contenu


# --- API ----------------------------------------------------------------------------------------


def test_l_api_montre_le_brouillon_a_sa_coordination_pas_au_conseil(
    client, alice, bob, charlie, brouillon
):
    du_brouillon = set(brouillon.changements.values_list("pk", flat=True))
    for persona, voit in ((alice, True), (bob, False), (charlie, False)):
        client.force_login(persona)
        versions = client.get("/api/v1/strategies/", {"taille": 100}).json()["results"]
        assert (brouillon.pk in {v["id"] for v in versions}) is voit
        changements = client.get("/api/v1/changements/", {"taille": 1000}).json()["results"]
        assert (du_brouillon <= {c["id"] for c in changements}) is voit
        detail = client.get(f"/api/v1/strategies/{brouillon.pk}/")
        assert detail.status_code == (200 if voit else 404)


# --- Requêtes -----------------------------------------------------------------------------------


def _plus_de_changements(brouillon, nombre: int, debut: int) -> None:
    indicateur = IndicateurFactory()
    for n in range(debut, debut + nombre):
        changement = ChangementViseFactory(strategie=brouillon, code=f"X{n}")
        changement.indicateurs.add(indicateur)
        LienDeChangement.objects.create(
            strategie=brouillon, source=brouillon.changements.get(code="C0"), cible=changement
        )


def test_la_page_du_brouillon_soumis_coute_autant_de_requetes_pour_la_coordination(
    client, alice, brouillon, quartier_a, django_assert_num_queries
):
    services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    client.force_login(alice)
    url = _url("strategie_brouillon", quartier_a, brouillon.pk)
    # Comme pour l'évaluation (tests/test_w1s15_strategie_vues.py) : session, personne,
    # quartier, la version (et qui l'a soumise); changements, indicateurs, actions, liens, la
    # version en vigueur; les choix du formulaire des liens ne sont pas lus (lecture seule).
    attendues = 9
    _plus_de_changements(brouillon, 2, 0)
    with django_assert_num_queries(attendues):
        assert client.get(url).status_code == 200
    _plus_de_changements(brouillon, 20, 2)
    with django_assert_num_queries(attendues):
        page = client.get(url)
    assert page.content.decode().count('id="changement-') == 3 + 22


@pytest.mark.parametrize("persona", ["alice", "eve"])
def test_la_theorie_et_les_propositions_coutent_autant_de_requetes(
    client, personas, alice, brouillon, quartier_a, persona
):
    from django.db import connection as connexion
    from django.test.utils import CaptureQueriesContext

    services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    client.force_login(personas[persona])

    def compter(url) -> int:
        with CaptureQueriesContext(connexion) as requetes:
            assert client.get(url).status_code == 200
        return len(requetes)

    adresses = [_theorie(quartier_a)] + ([reverse("propositions")] if persona == "eve" else [])
    avant = [compter(url) for url in adresses]
    _plus_de_changements(brouillon, 20, 0)
    assert [compter(url) for url in adresses] == avant


# --- Concurrence réelle : une modification de la coordination pendant l'adoption ---------------


@pytest.mark.django_db(transaction=True)
def test_l_adoption_attend_la_modification_en_cours_puis_la_suivante_recoit_409(
    alice, eve, quartier_a
):
    """Alice enregistre le titre (brouillon verrouillé, transaction encore ouverte) quand Ève
    adopte : l'adoption attend le verrou et adopte le brouillon avec le titre d'Alice; la
    modification suivante d'Alice reçoit 409. Rien n'est écrit à moitié."""
    construire(quartier_a)
    brouillon = services.preparer_version(utilisateur=alice, quartier=quartier_a)[0]
    ecrit, fin = threading.Event(), threading.Event()
    resultats = {}

    def modifier():
        try:
            with transaction.atomic():
                services.modifier_brouillon(
                    utilisateur=alice, strategie=brouillon, titre="Titre d'Alice", vision=""
                )
                ecrit.set()
                fin.wait(timeout=0.5)  # l'adoption arrive pendant ce temps
        finally:
            ecrit.set()
            connection.close()

    def adopter():
        try:
            ecrit.wait(timeout=10)
            client = Client()
            client.force_login(eve)
            reponse = client.post(_url("strategie_adopter", quartier_a, brouillon.pk), ADOPTION)
            resultats["adoption"] = reponse.status_code
        finally:
            fin.set()
            connection.close()

    fils = [threading.Thread(target=modifier), threading.Thread(target=adopter)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=30)

    assert resultats["adoption"] == 302
    lu = _relu(brouillon)
    assert (lu.statut, lu.titre) == ("en_vigueur", "Titre d'Alice")
    client = Client()
    client.force_login(alice)
    refus = client.post(
        _url("strategie_brouillon", quartier_a, brouillon.pk), {"titre": "Après", "vision": ""}
    )
    assert refus.status_code == 409 and _relu(brouillon).titre == "Titre d'Alice"
