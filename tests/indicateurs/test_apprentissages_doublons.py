"""Le même apprentissage envoyé deux fois (double clic, formulaire renvoyé après un refus,
client d'API qui réessaie) n'est écrit qu'une fois : mêmes quartier, période, saisie,
catégorie, rattachements et textes. Un texte différent est un autre apprentissage."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import Apprentissage, StatutPeriode
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

TEXTE = "Peu de bénévoles cet hiver."


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def menages(quartier_a):
    indicateur = IndicateurFactory(code="menages", unite="nombre")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


def _ajouter(auteur, quartier, periode, texte=TEXTE, **champs):
    return services.ajouter_apprentissage(
        auteur=auteur,
        quartier=quartier,
        periode=periode,
        categorie="defis",
        texte_fr=texte,
        **champs,
    )


@pytest.mark.django_db
def test_le_meme_apprentissage_deux_fois_n_est_ecrit_qu_une_fois(quartier_a, periode, bob):
    premier = _ajouter(bob, quartier_a, periode)
    assert _ajouter(bob, quartier_a, periode).pk == premier.pk
    assert Apprentissage.objects.count() == 1


@pytest.mark.django_db
def test_un_texte_ou_un_rattachement_different_est_un_autre_apprentissage(
    quartier_a, periode, bob, menages
):
    _ajouter(bob, quartier_a, periode)
    _ajouter(bob, quartier_a, periode, texte=TEXTE + " Et au printemps.")
    _ajouter(bob, quartier_a, periode, indicateur=menages)
    services.ajouter_apprentissage(
        auteur=bob, quartier=quartier_a, periode=periode, categorie="au_dela", texte_fr=TEXTE
    )
    assert Apprentissage.objects.count() == 4


@pytest.mark.django_db
def test_un_double_clic_sur_la_page_d_ajout_n_ecrit_qu_un_apprentissage(
    client, quartier_a, periode, bob
):
    client.force_login(bob)
    adresse = reverse("apprentissage_nouveau", kwargs={"slug": quartier_a.slug})
    donnees = {"periode": periode.code, "categorie": "defis", "texte_fr": TEXTE, "texte_en": ""}
    assert client.post(adresse, donnees).status_code == 302
    assert client.post(adresse, donnees).status_code == 302
    assert Apprentissage.objects.count() == 1


@pytest.mark.django_db
def test_un_client_d_api_qui_reessaie_retrouve_son_apprentissage(quartier_a, periode, bob):
    api = APIClient()
    api.force_authenticate(bob)
    donnees = {
        "quartier": quartier_a.slug,
        "periode": periode.code,
        "categorie": "defis",
        "texte_fr": TEXTE,
    }
    premier = api.post("/api/v1/apprentissages/", donnees, format="json")
    second = api.post("/api/v1/apprentissages/", donnees, format="json")
    assert premier.status_code == second.status_code == 201, second.content
    assert premier.json()["id"] == second.json()["id"]
    assert Apprentissage.objects.count() == 1


@pytest.mark.django_db
def test_le_formulaire_de_saisie_renvoye_n_ecrit_pas_deux_fois_ses_apprentissages(
    quartier_a, periode, alice, menages
):
    """Refusé (conflit de version, soumission refusée), le formulaire revient avec ses textes;
    l'envoyer de nouveau n'ajoute pas une copie de ce qui a déjà été écrit dans la saisie."""
    appris = [services.DonneeApprentissage(categorie="defis", texte_fr=TEXTE)]
    donnees = {menages.pk: services.DonneeValeur(valeur=Decimal(12))}
    premier = services.enregistrer_saisie(
        table=quartier_a.table,
        periode=periode,
        auteur=alice,
        version=1,
        donnees=donnees,
        apprentissages=appris,
    )
    autres = [*appris, services.DonneeApprentissage(categorie="au_dela", texte_fr="Autre.")]
    services.enregistrer_saisie(
        saisie=premier.saisie,
        auteur=alice,
        version=premier.saisie.version,
        donnees=donnees,
        apprentissages=autres,
    )
    assert sorted(Apprentissage.objects.values_list("categorie", "texte_fr")) == [
        ("au_dela", "Autre."),
        ("defis", TEXTE),
    ]


@pytest.mark.django_db(transaction=True)
def test_deux_envois_simultanes_n_ecrivent_qu_un_apprentissage(quartier_a, periode, bob):
    """Deux requêtes en même temps : la première écrit et garde sa transaction ouverte un
    moment; la seconde attend sur la ligne du quartier, puis retrouve l'apprentissage au lieu
    d'en écrire un second (sans ce verrou, elle ne le voit pas et en écrit un autre)."""
    premier_ecrit = threading.Event()
    erreurs = []

    def premier():
        try:
            with transaction.atomic():
                _ajouter(bob, quartier_a, periode)
                premier_ecrit.set()
                time.sleep(0.5)
        except Exception as erreur:  # pragma: no cover - rapporté par l'assertion
            erreurs.append(erreur)
        finally:
            connection.close()

    def second():
        try:
            premier_ecrit.wait(timeout=10)
            _ajouter(bob, quartier_a, periode)
        except Exception as erreur:  # pragma: no cover - rapporté par l'assertion
            erreurs.append(erreur)
        finally:
            connection.close()

    fils = [threading.Thread(target=premier), threading.Thread(target=second)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=30)
    assert erreurs == []
    assert Apprentissage.objects.count() == 1


@pytest.mark.django_db
def test_le_meme_texte_de_deux_personnes_reste_a_chacune(quartier_a, periode, alice, bob):
    """Un envoi répété est celui d'une même personne : Bob qui écrit « RAS. » comme Alice a
    son propre apprentissage, à son nom, et non celui d'Alice."""
    d_alice = _ajouter(alice, quartier_a, periode, texte="RAS.")
    d_bob = _ajouter(bob, quartier_a, periode, texte="RAS.")
    assert d_bob.pk != d_alice.pk and d_bob.auteur == bob
    assert Apprentissage.objects.count() == 2
