"""Un double clic sur « Soumettre », ou un client d'API qui réessaie la soumission pendant que
la première requête tourne encore : la seconde requête attend la première sur le verrou de la
saisie, puis la trouve soumise par la même personne depuis la version qu'elle portait
(`services.deja_soumise`, revérifiée sous le verrou par `soumettre_saisie`) — c'est fait, elle
réussit aussi, sans seconde soumission. Avant, elle répondait 400 « Seul un brouillon ou une
saisie renvoyée se soumet. » alors que la saisie était soumise. Une soumission périmée parce
qu'une autre personne a changé la saisie reste refusée, comme un conflit de version."""

from __future__ import annotations

import threading
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, StatutPeriode, StatutSaisie, TypeEvenement
from tests.factories import (
    AffectationFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    UtilisateurFactory,
    periode_du_trimestre,
)

TOURS = 3  # la course perdait à chaque tour avant la correction (20 sur 20)


def en_meme_temps(*fonctions):
    """Lance les `fonctions` au même instant (une barrière), chacune dans son fil et sa propre
    connexion, refermée à la fin; rend leurs résultats, ou l'exception levée, dans l'ordre."""
    barriere = threading.Barrier(len(fonctions))
    resultats: list = [None] * len(fonctions)

    def lancer(rang, fonction):
        try:
            barriere.wait(timeout=10)
            resultats[rang] = fonction()
        except Exception as erreur:  # rendue au test, qui l'affiche
            resultats[rang] = erreur
        finally:
            connection.close()

    fils = [threading.Thread(target=lancer, args=(r, f)) for r, f in enumerate(fonctions)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=30)
    return resultats


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def indicateurs(quartier_a):
    liste = [IndicateurFactory(code=f"menages-{n}", unite="nombre") for n in range(2)]
    for indicateur in liste:
        IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return liste


def _brouillon_rempli(quartier, alice, periode, indicateurs) -> Saisie:
    Saisie.objects.all().delete()
    saisie = services.saisie_pour(table=quartier.table, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie,
        auteur=alice,
        version=1,
        donnees={
            i.pk: services.DonneeValeur(valeur=Decimal(10 + n), commentaire="ok")
            for n, i in enumerate(indicateurs)
        },
    )
    saisie.refresh_from_db()
    return saisie


def _soumissions(saisie) -> int:
    return EvenementSaisie.objects.filter(
        saisie=saisie, type_evenement=TypeEvenement.SOUMISSION
    ).count()


# --- Le service, rejoué tel quel : déterministe -------------------------------------------------


@pytest.mark.django_db
def test_la_meme_soumission_rejouee_sur_la_saisie_lue_avant_rend_la_saisie_soumise(
    quartier_a, alice, periode, indicateurs
):
    """La seconde requête a lu le brouillon (version 2) avant que la première le soumette : son
    appel arrive ensuite, avec l'objet et la version d'alors."""
    perimee = _brouillon_rempli(quartier_a, alice, periode, indicateurs)
    services.soumettre_saisie(
        saisie=Saisie.objects.get(pk=perimee.pk), auteur=alice, version=perimee.version
    )

    rendue = services.soumettre_saisie(saisie=perimee, auteur=alice, version=perimee.version)

    assert rendue.statut == StatutSaisie.SOUMISE
    assert rendue.version == perimee.version + 1  # une seule transition
    assert _soumissions(perimee) == 1


@pytest.mark.django_db
def test_une_soumission_perimee_par_l_ecriture_d_une_autre_personne_est_un_conflit(
    quartier_a, alice, periode, indicateurs
):
    denise = UtilisateurFactory(email="denise@exemple.org", first_name="Denise")
    AffectationFactory(utilisateur=denise, quartier=quartier_a, role="coordonnateur")
    perimee = _brouillon_rempli(quartier_a, alice, periode, indicateurs)
    services.soumettre_saisie(
        saisie=Saisie.objects.get(pk=perimee.pk), auteur=denise, version=perimee.version
    )

    with pytest.raises(services.ConflitDeVersion):
        services.soumettre_saisie(saisie=perimee, auteur=alice, version=perimee.version)
    perimee.refresh_from_db()
    assert perimee.soumise_par == denise
    assert _soumissions(perimee) == 1


# --- Au même instant, par le formulaire et par l'API --------------------------------------------


def _formulaire(indicateurs) -> dict:
    donnees = {"version": "1", "action": "soumettre"}
    for n, indicateur in enumerate(indicateurs):
        donnees[f"v{indicateur.pk}"] = str(10 + n)
        donnees[f"c{indicateur.pk}"] = "ok"
    return donnees


@pytest.mark.django_db(transaction=True)
def test_double_clic_sur_soumettre_deux_redirections_une_soumission(
    quartier_a, alice, periode, indicateurs
):
    adresse = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    for _tour in range(TOURS):
        Saisie.objects.all().delete()
        clients = [Client(), Client()]
        for client in clients:
            client.force_login(alice)
        donnees = _formulaire(indicateurs)
        reponses = en_meme_temps(*[partial(c.post, adresse, donnees) for c in clients])

        assert [getattr(r, "status_code", r) for r in reponses] == [302, 302]
        saisie = Saisie.objects.get()
        assert saisie.statut == StatutSaisie.SOUMISE
        assert _soumissions(saisie) == 1


@pytest.mark.django_db(transaction=True)
def test_api_soumettre_reessaye_pendant_la_premiere_requete_deux_200(
    quartier_a, alice, periode, indicateurs
):
    for _tour in range(TOURS):
        saisie = _brouillon_rempli(quartier_a, alice, periode, indicateurs)
        adresse = f"/api/v1/saisies/{saisie.pk}/soumettre/"
        clients = [APIClient(), APIClient()]
        for client in clients:
            client.force_authenticate(alice)
        entete = {"HTTP_IF_MATCH": f'"{saisie.version}"'}
        reponses = en_meme_temps(
            *[partial(c.post, adresse, {}, format="json", **entete) for c in clients]
        )

        assert [getattr(r, "status_code", r) for r in reponses] == [200, 200]
        assert {r.json()["statut"] for r in reponses} == {StatutSaisie.SOUMISE}
        assert _soumissions(saisie) == 1
