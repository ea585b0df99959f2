"""Un apprentissage écrit dans le formulaire de saisie suit sa saisie, comme les valeurs : absent
des bilans et des tableaux de bord tant qu'elle est un brouillon ou renvoyée à la table, publié
avec elle une fois soumise ou validée (`STATUTS_PUBLIES`). Un apprentissage ajouté hors saisie
(page d'ajout, API) est publié aussitôt. La page de saisie montre tout; l'API aussi, comme les
valeurs, avec la saisie d'origine et un filtre `publie`."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import Apprentissage, Saisie, StatutPeriode
from indicateurs.selectors import page_de_saisie
from rapports.instantane import construire_instantane
from rapports.lectures import Filtre
from rapports.models import Bilan, Portee
from rapports.selectors import tableau_quartier
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

DANS_LA_SAISIE = "Écrit dans le brouillon."
HORS_SAISIE = "Ajouté sur la page d'ajout."


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def menages(quartier_a):
    indicateur = IndicateurFactory(code="menages", unite="nombre")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


@pytest.fixture
def brouillon(quartier_a, periode, menages, alice) -> Saisie:
    """Alice enregistre un brouillon : une valeur, et un défi épinglé à l'indicateur."""
    resultat = services.enregistrer_saisie(
        table=quartier_a.table,
        periode=periode,
        auteur=alice,
        version=1,
        donnees={menages.pk: services.DonneeValeur(valeur=Decimal(12))},
        apprentissages=[
            services.DonneeApprentissage(
                categorie="defis", texte_fr=DANS_LA_SAISIE, indicateur_id=menages.pk
            )
        ],
    )
    return resultat.saisie


def _bilan(quartier) -> dict:
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2025, trimestre=1, langue="fr")
    instantane = construire_instantane(bilan)["quartiers"][0]
    reperes = [r["texte"] for s in instantane["series"] for r in s["reperes"]]
    return {"defis": instantane["apprentissages"]["defis"], "reperes": reperes}


def _epingles(personne, quartier, periode) -> list[str]:
    """Les apprentissages épinglés aux courbes du tableau de bord du quartier."""
    tableau = tableau_quartier(personne, quartier.slug, Filtre(periodes=(periode,)))
    return [r.texte for g in tableau.groupes for serie, _statut in g.series for r in serie.reperes]


def _publie(quartier, periode, eve) -> bool:
    bilan = _bilan(quartier)
    au_bilan = DANS_LA_SAISIE in bilan["defis"]
    assert au_bilan == (DANS_LA_SAISIE in bilan["reperes"])
    au_tableau = DANS_LA_SAISIE in _epingles(eve, quartier, periode)
    assert au_bilan == au_tableau, (au_bilan, au_tableau)
    return au_bilan


def _recharger(saisie: Saisie) -> Saisie:
    return Saisie.objects.get(pk=saisie.pk)


def test_le_formulaire_rattache_l_apprentissage_a_sa_saisie(brouillon):
    assert list(Apprentissage.objects.values_list("texte_fr", "saisie_id")) == [
        (DANS_LA_SAISIE, brouillon.pk)
    ]
    assert list(brouillon.apprentissages.all()) == list(Apprentissage.objects.all())


def test_un_apprentissage_suit_la_publication_de_sa_saisie(
    quartier_a, periode, brouillon, alice, eve
):
    assert not _publie(quartier_a, periode, eve)

    soumise = services.soumettre_saisie(saisie=brouillon, auteur=alice, version=brouillon.version)
    assert _publie(quartier_a, periode, eve)

    renvoyee = services.renvoyer_saisie(
        saisie=soumise, auteur=eve, version=soumise.version, motif="À revoir."
    )
    assert not _publie(quartier_a, periode, eve)

    soumise = services.soumettre_saisie(saisie=renvoyee, auteur=alice, version=renvoyee.version)
    services.valider_saisie(saisie=_recharger(soumise), auteur=eve, version=soumise.version)
    assert _publie(quartier_a, periode, eve)


def test_un_apprentissage_ajoute_hors_saisie_est_publie_aussitot(
    quartier_a, periode, menages, brouillon, bob, eve
):
    services.ajouter_apprentissage(
        auteur=bob,
        quartier=quartier_a,
        periode=periode,
        categorie="defis",
        texte_fr=HORS_SAISIE,
        indicateur=menages,
    )
    assert Apprentissage.objects.get(texte_fr=HORS_SAISIE).saisie is None
    bilan = _bilan(quartier_a)
    assert bilan["defis"] == [HORS_SAISIE] and bilan["reperes"] == [HORS_SAISIE]
    assert _epingles(eve, quartier_a, periode) == [HORS_SAISIE]
    # La page de saisie, elle, montre aussi ce qu'écrit le brouillon.
    textes = {a.texte_fr for a in page_de_saisie(quartier_a, periode).apprentissages}
    assert textes == {DANS_LA_SAISIE, HORS_SAISIE}


def test_publies_est_une_seule_requete(quartier_a, periode, brouillon, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert list(Apprentissage.objects.publies()) == []
    Saisie.objects.filter(pk=brouillon.pk).update(statut="validee")
    with django_assert_num_queries(1):
        assert [a.texte_fr for a in Apprentissage.objects.publies()] == [DANS_LA_SAISIE]


def test_supprimer_la_saisie_supprime_ses_apprentissages(brouillon):
    brouillon.delete()
    assert not Apprentissage.objects.exists()


# --- API et admin -------------------------------------------------------------------------------


def _lister(personne, **parametres) -> list[dict]:
    client = APIClient()
    client.force_authenticate(personne)
    reponse = client.get("/api/v1/apprentissages/", parametres)
    assert reponse.status_code == 200, reponse.content
    return reponse.json()["results"]


def test_l_api_montre_la_saisie_d_origine_et_filtre_les_publies(
    quartier_a, periode, brouillon, bob, eve, charlie
):
    services.ajouter_apprentissage(
        auteur=bob, quartier=quartier_a, periode=periode, categorie="au_dela", texte_fr=HORS_SAISIE
    )
    # Comme /valeurs/ : les brouillons des quartiers visibles paraissent, avec leur saisie.
    tous = {a["texte_fr"]: a["saisie"] for a in _lister(eve)}
    assert tous == {DANS_LA_SAISIE: brouillon.pk, HORS_SAISIE: None}
    assert {a["texte_fr"] for a in _lister(bob)} == {DANS_LA_SAISIE, HORS_SAISIE}
    assert _lister(charlie) == []
    assert [a["texte_fr"] for a in _lister(eve, publie="true")] == [HORS_SAISIE]
    assert [a["texte_fr"] for a in _lister(eve, publie="false")] == [DANS_LA_SAISIE]
    Saisie.objects.filter(pk=brouillon.pk).update(statut="soumise")
    assert {a["texte_fr"] for a in _lister(eve, publie="true")} == {DANS_LA_SAISIE, HORS_SAISIE}
    assert _lister(eve, publie="false") == []


def test_l_api_ignore_une_saisie_envoyee_a_la_creation(quartier_a, periode, brouillon, alice):
    client = APIClient()
    client.force_authenticate(alice)
    reponse = client.post(
        "/api/v1/apprentissages/",
        {
            "quartier": quartier_a.slug,
            "periode": periode.code,
            "categorie": "defis",
            "texte_fr": HORS_SAISIE,
            "saisie": brouillon.pk,
        },
        format="json",
    )
    assert reponse.status_code == 201, reponse.content
    assert reponse.json()["saisie"] is None
    assert Apprentissage.objects.get(texte_fr=HORS_SAISIE).saisie is None


def test_le_schema_documente_la_saisie_et_le_filtre():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    champ = schema["components"]["schemas"]["Apprentissage"]["properties"]["saisie"]
    assert champ["readOnly"] and champ["nullable"] and "soumise ou validée" in champ["description"]
    parametres = schema["paths"]["/api/v1/apprentissages/"]["get"]["parameters"]
    publie = next(p for p in parametres if p["name"] == "publie")
    assert publie["schema"]["type"] == "boolean" and publie["description"]


def test_l_admin_montre_la_saisie_sans_la_changer(client, ada, brouillon):
    apprentissage = Apprentissage.objects.get()
    client.force_login(ada)
    page = client.get(
        reverse("admin:indicateurs_apprentissage_change", args=[apprentissage.pk])
    ).content.decode()
    assert 'name="saisie"' not in page  # lue, pas changée
    lien = reverse("admin:indicateurs_saisie_change", args=[brouillon.pk])
    assert f'<div class="readonly"><a href="{lien}">{brouillon}</a></div>' in page
