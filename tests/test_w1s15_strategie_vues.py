"""Les pages de la stratégie de changement (indicateurs.views_strategie) et la théorie du
changement qui y mène : accès, parcours complet, entrées refusées (400, rien d'enregistré),
version en vigueur en lecture seule (409), nombre de requêtes constant, anglais.

Sur l'ancien code, les adresses n'existent pas (404 ou NoReverseMatch); la théorie du
changement montrait un brouillon à tout le monde (`test_le_brouillon_est_invisible_...`)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from indicateurs import services_strategie as services
from indicateurs.models import ChangementVise, LienDeChangement, StrategieDeChangement
from tests.factories import ChangementViseFactory, IndicateurFactory
from tests.test_w1s15_strategie_services import construire

pytestmark = pytest.mark.django_db


@pytest.fixture
def brouillon(eve, quartier_a):
    construire(quartier_a)
    return services.preparer_version(utilisateur=eve, quartier=quartier_a)[0]


def _url(nom: str, quartier, pk: int) -> str:
    return reverse(nom, kwargs={"slug": quartier.slug, "pk": pk})


def _adresses_du_brouillon(brouillon) -> list[str]:
    quartier = brouillon.quartier
    changement = brouillon.changements.first()
    return [
        _url("strategie_brouillon", quartier, brouillon.pk),
        _url("strategie_changement_ajouter", quartier, brouillon.pk),
        _url("strategie_adopter", quartier, brouillon.pk),
        _url("strategie_abandonner", quartier, brouillon.pk),
        _url("strategie_changement_modifier", quartier, changement.pk),
    ]


def _adresses_d_envoi(brouillon) -> list[str]:
    quartier = brouillon.quartier
    return [
        _url("strategie_lien_ajouter", quartier, brouillon.pk),
        _url("strategie_changement_supprimer", quartier, brouillon.changements.first().pk),
        _url("strategie_lien_supprimer", quartier, brouillon.liens.first().pk),
    ]


# --- Accès --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "attendu"),
    [("bob", 404), ("charlie", 404), ("eve", 200), ("ada", 200)],
)
def test_les_pages_du_brouillon_pour_chaque_role(client, personas, brouillon, persona, attendu):
    """Un brouillon n'existe que pour qui tient la stratégie du quartier : 404 pour le conseil
    et l'autre quartier, en lecture comme en écriture; rien n'est écrit. (La coordination du
    quartier, qui le prépare et le soumet : tests/test_w7s15_strategie_soumise.py.)"""
    client.force_login(personas[persona])
    for url in _adresses_du_brouillon(brouillon):
        assert client.get(url).status_code == attendu, url
        if attendu == 404:
            assert client.post(url, {"titre": "X", "libelle": "X"}).status_code == 404, url
    if attendu == 404:
        for url in _adresses_d_envoi(brouillon):
            assert client.post(url).status_code == 404, url
    assert StrategieDeChangement.objects.filter(pk=brouillon.pk, titre="Mieux vivre").exists()
    assert brouillon.changements.count() == 3 and brouillon.liens.count() == 2


@pytest.mark.parametrize(("persona", "attendu"), [("bob", 403), ("charlie", 404)])
def test_preparer_est_refuse_sans_le_droit_de_tenir_les_plans(
    client, personas, quartier_a, persona, attendu
):
    construire(quartier_a)
    client.force_login(personas[persona])
    url = reverse("strategie_preparer", kwargs={"slug": quartier_a.slug})
    assert client.post(url).status_code == attendu
    assert client.get(url).status_code == 405
    assert not quartier_a.strategies.filter(statut="brouillon").exists()


def test_le_brouillon_d_un_autre_quartier_est_introuvable(client, eve, brouillon, quartier_b):
    """Sous l'adresse du quartier B, le brouillon de A (ou son changement) : 404."""
    client.force_login(eve)
    for nom, pk in (
        ("strategie_brouillon", brouillon.pk),
        ("strategie_adopter", brouillon.pk),
        ("strategie_changement_modifier", brouillon.changements.first().pk),
    ):
        assert client.get(_url(nom, quartier_b, pk)).status_code == 404


def test_le_brouillon_est_invisible_sur_la_theorie_pour_le_conseil(
    client, bob, eve, brouillon, quartier_a
):
    url = reverse("theorie_du_changement", kwargs={"slug": quartier_a.slug})
    for persona in (bob,):
        client.force_login(persona)
        assert client.get(url, {"version": brouillon.version}).status_code == 404
        page = client.get(url).content.decode()
        assert "v3" not in page and "v2 — " in page
        assert "strategie/preparer" not in page and "Modifier le brouillon" not in page
    client.force_login(eve)
    page = client.get(url).content.decode()
    assert 'value="3"' in page and "Modifier le brouillon" in page
    assert _url("strategie_brouillon", quartier_a, brouillon.pk) in page
    lu = client.get(url, {"version": brouillon.version})
    assert lu.status_code == 200 and "Vous lisez un brouillon" in lu.content.decode()


def test_sans_brouillon_la_theorie_propose_de_preparer_une_version(client, eve, quartier_a):
    construire(quartier_a)
    client.force_login(eve)
    page = client.get(reverse("theorie_du_changement", kwargs={"slug": quartier_a.slug}))
    assert reverse("strategie_preparer", kwargs={"slug": quartier_a.slug}) in page.content.decode()


# --- Le parcours --------------------------------------------------------------------------------


def test_preparer_modifier_lier_adopter(client, eve, quartier_a):
    construire(quartier_a)
    client.force_login(eve)
    reponse = client.post(reverse("strategie_preparer", kwargs={"slug": quartier_a.slug}))
    brouillon = quartier_a.strategies.get(statut="brouillon")
    assert reponse.status_code == 302
    assert reponse["Location"] == _url("strategie_brouillon", quartier_a, brouillon.pk)
    # Une seconde préparation mène au même brouillon.
    encore = client.post(reverse("strategie_preparer", kwargs={"slug": quartier_a.slug}))
    assert encore["Location"] == reponse["Location"]
    assert "déjà en préparation" in client.get(encore["Location"]).content.decode()
    assert quartier_a.strategies.count() == 3

    url = _url("strategie_brouillon", quartier_a, brouillon.pk)
    assert client.post(url, {"titre": "Nouveau titre", "vision": "Vue"}).status_code == 302
    indicateur = IndicateurFactory(code="neuf")
    envoi = {
        "code": "C9",
        "libelle": "Plus de jardins",
        "description": "",
        "horizon": "long",
        "famille": "conditions_de_vie",
        "theme": "",
        "indicateurs": [indicateur.pk],
    }
    ajout = client.post(_url("strategie_changement_ajouter", quartier_a, brouillon.pk), envoi)
    assert ajout.status_code == 302
    c9 = brouillon.changements.get(code="C9")
    assert list(c9.indicateurs.all()) == [indicateur]
    c0 = brouillon.changements.get(code="C0")
    lien = {"lien-source": c0.pk, "lien-cible": c9.pk, "lien-hypothese": "Si, alors"}
    assert (
        client.post(_url("strategie_lien_ajouter", quartier_a, brouillon.pk), lien).status_code
        == 302
    )
    assert brouillon.liens.filter(source=c0, cible=c9, hypothese="Si, alors").exists()

    adopter = _url("strategie_adopter", quartier_a, brouillon.pk)
    assert client.get(adopter).status_code == 200
    fin = client.post(adopter, {"adoptee_le": "2025-02-01"})
    assert fin.status_code == 302
    assert fin["Location"] == reverse("theorie_du_changement", kwargs={"slug": quartier_a.slug})
    assert dict(quartier_a.strategies.values_list("version", "statut")) == {
        1: "archivee",
        2: "archivee",
        3: "en_vigueur",
    }
    theorie = client.get(fin["Location"]).content.decode()
    assert "Nouveau titre" in theorie and "Plus de jardins" in theorie
    # Adoptée, la version ne se modifie plus : 409, et rien n'est écrit.
    refus = client.post(url, {"titre": "Trop tard", "vision": ""})
    assert refus.status_code == 409 and "en vigueur" in refus.content.decode()
    assert quartier_a.strategies.get(version=3).titre == "Nouveau titre"


def test_abandonner_depuis_la_page(client, eve, brouillon, quartier_a):
    client.force_login(eve)
    url = _url("strategie_abandonner", quartier_a, brouillon.pk)
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    assert StrategieDeChangement.objects.filter(pk=brouillon.pk).exists()
    assert client.post(url).status_code == 302
    assert not StrategieDeChangement.objects.filter(pk=brouillon.pk).exists()
    assert dict(quartier_a.strategies.values_list("version", "statut")) == {
        1: "archivee",
        2: "en_vigueur",
    }
    assert client.post(url).status_code == 404  # plus rien à abandonner


@pytest.mark.parametrize("statut", ["en_vigueur", "archivee"])
def test_une_version_adoptee_ou_archivee_repond_409(client, eve, quartier_a, statut):
    construire(quartier_a)
    version = quartier_a.strategies.get(statut=statut)
    changement = ChangementViseFactory(strategie=version) if statut == "archivee" else None
    changement = changement or version.changements.first()
    client.force_login(eve)
    for url in (
        _url("strategie_brouillon", quartier_a, version.pk),
        _url("strategie_changement_ajouter", quartier_a, version.pk),
        _url("strategie_adopter", quartier_a, version.pk),
        _url("strategie_abandonner", quartier_a, version.pk),
        _url("strategie_changement_modifier", quartier_a, changement.pk),
    ):
        assert client.get(url).status_code == 409, url
        reponse = client.post(url, {"titre": "X", "code": "X", "adoptee_le": "2025-01-01"})
        assert reponse.status_code == 409, url
        assert "<title>Erreur :" in reponse.content.decode()
    suppression = _url("strategie_changement_supprimer", quartier_a, changement.pk)
    assert client.post(suppression).status_code == 409
    version.refresh_from_db()
    assert version.statut == statut and version.titre != "X"
    assert ChangementVise.objects.filter(pk=changement.pk).exists()


# --- Entrées refusées ---------------------------------------------------------------------------


def test_un_changement_refuse_reste_dans_le_formulaire(client, eve, brouillon, quartier_a):
    client.force_login(eve)
    url = _url("strategie_changement_ajouter", quartier_a, brouillon.pk)
    envoi = {"code": "C1", "libelle": "Doublon", "horizon": "court", "famille": "personnes"}
    reponse = client.post(url, envoi)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "<title>Erreur :" in page and "data-focus-au-chargement" in page
    assert "déjà celui d&#x27;un autre changement visé" in page
    assert reponse.context["form"]["libelle"].value() == "Doublon"
    # Des valeurs fabriquées : 400 à côté des champs, jamais 500.
    for fabrique in (
        {"code": "N", "libelle": "N", "horizon": "toujours", "famille": "personnes"},
        {"code": "N", "libelle": "N", "horizon": "court", "famille": "x", "theme": "abc"},
        {
            "code": "N",
            "libelle": "N",
            "horizon": "court",
            "famille": "personnes",
            "indicateurs": ["x"],
        },
        {"code": "N" * 30, "libelle": "N", "horizon": "court", "famille": "personnes"},
    ):
        assert client.post(url, fabrique).status_code == 400, fabrique
    assert brouillon.changements.count() == 3


def test_un_lien_refuse_revient_sur_la_page_du_brouillon(client, eve, brouillon, quartier_a):
    client.force_login(eve)
    c0 = brouillon.changements.get(code="C0")
    autre = ChangementVise.objects.get(strategie__version=2, code="C1")
    url = _url("strategie_lien_ajouter", quartier_a, brouillon.pk)
    for cible, texte in ((c0, "lui-même"), (brouillon.changements.get(code="C1"), "existe déjà")):
        reponse = client.post(url, {"lien-source": c0.pk, "lien-cible": cible.pk})
        assert reponse.status_code == 400
        page = reponse.content.decode()
        assert texte in page and "<title>Erreur :" in page
        assert 'id="id_lien-cible_error"' in page
    # Un changement d'une autre version n'est pas un choix.
    reponse = client.post(url, {"lien-source": c0.pk, "lien-cible": autre.pk})
    assert reponse.status_code == 400
    assert reponse.context["lien"].errors["cible"]
    assert LienDeChangement.objects.filter(strategie=brouillon).count() == 2


@pytest.mark.parametrize("jour", ["", "pas une date", "1850-01-01", "2024-05-01"])
def test_une_date_d_adoption_refusee(client, eve, brouillon, quartier_a, jour):
    client.force_login(eve)
    reponse = client.post(_url("strategie_adopter", quartier_a, brouillon.pk), {"adoptee_le": jour})
    assert reponse.status_code == 400
    assert reponse.context["form"].errors["adoptee_le"]
    assert "<title>Erreur :" in reponse.content.decode()
    assert dict(quartier_a.strategies.values_list("version", "statut")) == {
        1: "archivee",
        2: "en_vigueur",
        3: "brouillon",
    }


def test_la_seconde_adoption_repond_409(client, eve, ada, brouillon, quartier_a):
    url = _url("strategie_adopter", quartier_a, brouillon.pk)
    client.force_login(eve)
    assert client.post(url, {"adoptee_le": "2025-02-01"}).status_code == 302
    client.force_login(ada)
    reponse = client.post(url, {"adoptee_le": "2025-03-01"})
    assert reponse.status_code == 409
    assert quartier_a.strategies.get(pk=brouillon.pk).adoptee_le == datetime.date(2025, 2, 1)


# --- Requêtes et langue -------------------------------------------------------------------------


def _plus_de_changements(brouillon, nombre: int, debut: int) -> None:
    indicateur = IndicateurFactory()
    for n in range(debut, debut + nombre):
        changement = ChangementViseFactory(strategie=brouillon, code=f"X{n}")
        changement.indicateurs.add(indicateur)
        LienDeChangement.objects.create(
            strategie=brouillon, source=brouillon.changements.get(code="C0"), cible=changement
        )


def test_la_page_du_brouillon_coute_autant_de_requetes_avec_dix_fois_plus(
    client, eve, brouillon, quartier_a, django_assert_num_queries
):
    client.force_login(eve)
    url = _url("strategie_brouillon", quartier_a, brouillon.pk)
    # Session, personne, quartier (sélecteur d'accès), la version; la page : changements (et
    # thème), leurs indicateurs, leurs actions, les liens (et leurs bouts), la version en
    # vigueur; les choix du formulaire des liens (source, cible).
    attendues = 11
    _plus_de_changements(brouillon, 2, 0)
    with django_assert_num_queries(attendues):
        assert client.get(url).status_code == 200
    _plus_de_changements(brouillon, 20, 2)
    with django_assert_num_queries(attendues):
        page = client.get(url)
    assert page.content.decode().count('id="changement-') == 3 + 22


def test_les_pages_en_anglais(client, eve, brouillon, quartier_a):
    client.force_login(eve)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(_url("strategie_brouillon", quartier_a, brouillon.pk)).content.decode()
    assert '<html lang="en"' in page
    assert "Intended changes" in page and "Links and hypotheses" in page
    assert "medium term" in page and "system" in page
    # Les textes de la stratégie sont en français : lang="fr" autour d'eux.
    assert '<td lang="fr">Changement 0</td>' in page
    changement = client.get(
        _url("strategie_changement_modifier", quartier_a, brouillon.changements.first().pk),
    )
    assert changement.status_code == 200 and "medium term" in changement.content.decode()
    assert client.get(_url("strategie_adopter", quartier_a, brouillon.pk)).status_code == 200


def test_la_page_du_quartier_ne_montre_le_brouillon_qu_a_qui_tient_la_strategie(
    client, alice, bob, eve, quartier_a
):
    """Un quartier dont la seule version est un brouillon (préparé sans version en vigueur) :
    sa page n'en montre rien au conseil (l'ancien code le montrait); sa coordination, qui le
    prépare et le soumet, le voit comme l'évaluation."""
    brouillon, _creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    url = reverse("quartier_detail", kwargs={"slug": quartier_a.slug})
    client.force_login(bob)
    assert brouillon.titre not in client.get(url).content.decode()
    for persona in (alice, eve):
        client.force_login(persona)
        assert brouillon.titre in client.get(url).content.decode()
