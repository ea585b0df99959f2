"""Valider, renvoyer, rouvrir : deux évaluations qui décident au même instant, ou la même
qui clique deux fois. Sous le verrou de la saisie, la version se vérifie avant le statut : qui
décide sur une version que l'autre vient de changer reçoit 409 « La saisie a changé
entre-temps » (412 à l'API), non plus 400 « Seule une saisie soumise se valide ». Et la même
décision, déjà prise par la même personne depuis cette version (avec le même motif pour un
renvoi ou une réouverture), réussit de nouveau sans rien inscrire (`services.deja_decidee`)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, StatutPeriode, StatutSaisie, TypeEvenement
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre
from tests.test_w4s15_soumission_double import en_meme_temps

DECISIONS = [TypeEvenement.VALIDATION, TypeEvenement.RENVOI, TypeEvenement.REOUVERTURE]


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def indicateur(quartier_a):
    indicateur = IndicateurFactory(code="menages", unite="nombre")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


def _soumise(quartier, alice, periode, indicateur) -> Saisie:
    Saisie.objects.all().delete()
    saisie = services.saisie_pour(table=quartier.table, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie,
        auteur=alice,
        version=1,
        donnees={indicateur.pk: services.DonneeValeur(valeur=Decimal(10), commentaire="ok")},
    )
    saisie.refresh_from_db()
    return services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)


def _decisions(saisie) -> list[str]:
    return list(
        EvenementSaisie.objects.filter(saisie=saisie, type_evenement__in=DECISIONS)
        .order_by("pk")
        .values_list("type_evenement", flat=True)
    )


@pytest.fixture
def adresse(quartier_a, periode):
    return reverse("saisie_revision", kwargs={"slug": quartier_a.slug, "code": periode.code})


def _page(client, eve):
    client.force_login(eve)
    return client


# --- Double clic de la même personne : déterministe ---------------------------------------------


@pytest.mark.django_db
def test_double_clic_sur_valider_deux_redirections_une_validation(
    client, quartier_a, alice, eve, periode, indicateur, adresse
):
    saisie = _soumise(quartier_a, alice, periode, indicateur)
    _page(client, eve)
    corps = {"action": "valider", "version": saisie.version}

    premiere, seconde = client.post(adresse, corps), client.post(adresse, corps)

    assert (premiere.status_code, seconde.status_code) == (302, 302)
    assert [str(m) for m in get_messages(seconde.wsgi_request)][-1] == (
        "C'est fait : la saisie est maintenant « validée »."
    )
    assert _decisions(saisie) == [TypeEvenement.VALIDATION]


@pytest.mark.django_db
def test_double_clic_sur_rouvrir_deux_redirections_une_reouverture(
    client, quartier_a, alice, eve, periode, indicateur, adresse
):
    saisie = _soumise(quartier_a, alice, periode, indicateur)
    saisie = services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    _page(client, eve)
    corps = {"action": "rouvrir", "version": saisie.version, "motif": "Erreur de saisie"}

    reponses = [client.post(adresse, corps), client.post(adresse, corps)]

    assert [r.status_code for r in reponses] == [302, 302]
    assert _decisions(saisie) == [TypeEvenement.VALIDATION, TypeEvenement.REOUVERTURE]


@pytest.mark.django_db
def test_double_clic_sur_renvoyer_avec_le_meme_motif_un_seul_renvoi(
    client, quartier_a, alice, eve, periode, indicateur, adresse, mailoutbox
):
    saisie = _soumise(quartier_a, alice, periode, indicateur)
    _page(client, eve)
    corps = {"action": "renvoyer", "version": saisie.version, "motif": "À revoir"}

    reponses = [client.post(adresse, corps), client.post(adresse, {**corps, "motif": " À revoir "})]

    assert [r.status_code for r in reponses] == [302, 302]
    assert _decisions(saisie) == [TypeEvenement.RENVOI]


@pytest.mark.django_db
def test_renvoyer_de_nouveau_avec_un_autre_motif_est_un_conflit(
    client, quartier_a, alice, eve, periode, indicateur, adresse
):
    saisie = _soumise(quartier_a, alice, periode, indicateur)
    _page(client, eve)
    corps = {"action": "renvoyer", "version": saisie.version, "motif": "À revoir"}
    client.post(adresse, corps)

    reponse = client.post(adresse, {**corps, "motif": "Autre chose"})

    assert reponse.status_code == 409
    assert "La saisie a changé entre-temps" in reponse.content.decode()
    saisie.refresh_from_db()
    assert saisie.motif_renvoi == "À revoir"
    assert _decisions(saisie) == [TypeEvenement.RENVOI]


@pytest.mark.django_db
def test_la_decision_perimee_d_une_autre_personne_repond_409(
    client, quartier_a, alice, eve, ada, periode, indicateur, adresse
):
    """Ève valide; Ada, qui avait ouvert la même version, renvoie ensuite : 409, pas 400."""
    saisie = _soumise(quartier_a, alice, periode, indicateur)
    services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    _page(client, ada)

    reponse = client.post(
        adresse, {"action": "renvoyer", "version": saisie.version, "motif": "À revoir"}
    )

    assert reponse.status_code == 409
    texte = reponse.content.decode()
    assert "La saisie a changé entre-temps" in texte
    assert "Seule une saisie soumise se renvoie" not in texte
    assert _decisions(saisie) == [TypeEvenement.VALIDATION]


@pytest.mark.django_db
def test_un_statut_incompatible_a_la_version_actuelle_reste_un_400(
    client, quartier_a, alice, eve, periode, indicateur, adresse
):
    saisie = _soumise(quartier_a, alice, periode, indicateur)
    _page(client, eve)
    reponse = client.post(
        adresse, {"action": "rouvrir", "version": saisie.version, "motif": "Pourquoi pas"}
    )
    assert reponse.status_code == 400
    assert "Seule une saisie validée se rouvre" in reponse.content.decode()


# --- À l'API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_valider_reessaye_avec_le_meme_if_match_recoit_200(
    quartier_a, alice, eve, periode, indicateur
):
    saisie = _soumise(quartier_a, alice, periode, indicateur)
    api = APIClient()
    api.force_authenticate(eve)
    adresse = f"/api/v1/saisies/{saisie.pk}/valider/"
    entete = {"HTTP_IF_MATCH": f'"{saisie.version}"'}

    reponses = [api.post(adresse, {}, format="json", **entete) for _ in range(2)]

    assert [r.status_code for r in reponses] == [200, 200]
    assert reponses[1].json()["statut"] == StatutSaisie.VALIDEE
    assert _decisions(saisie) == [TypeEvenement.VALIDATION]


@pytest.mark.django_db
def test_api_renvoyer_reessaye_avec_un_autre_motif_recoit_412(
    quartier_a, alice, eve, periode, indicateur
):
    saisie = _soumise(quartier_a, alice, periode, indicateur)
    api = APIClient()
    api.force_authenticate(eve)
    adresse = f"/api/v1/saisies/{saisie.pk}/renvoyer/"
    entete = {"HTTP_IF_MATCH": f'"{saisie.version}"'}

    premiere = api.post(adresse, {"motif": "À revoir"}, format="json", **entete)
    meme = api.post(adresse, {"motif": "À revoir"}, format="json", **entete)
    autre = api.post(adresse, {"motif": "Autre chose"}, format="json", **entete)

    assert (premiere.status_code, meme.status_code, autre.status_code) == (200, 200, 412)
    assert _decisions(saisie) == [TypeEvenement.RENVOI]


# --- Au même instant ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_valider_et_renvoyer_au_meme_instant_le_perdant_recoit_409(
    quartier_a, alice, eve, ada, periode, indicateur, adresse, mailoutbox
):
    for _tour in range(3):
        saisie = _soumise(quartier_a, alice, periode, indicateur)
        evaluation, administration = Client(), Client()
        evaluation.force_login(eve)
        administration.force_login(ada)
        version = saisie.version
        reponses = en_meme_temps(
            partial(evaluation.post, adresse, {"action": "valider", "version": version}),
            partial(
                administration.post,
                adresse,
                {"action": "renvoyer", "version": version, "motif": "À revoir"},
            ),
        )

        assert sorted(getattr(r, "status_code", r) for r in reponses) == [302, 409]
        perdante = next(r for r in reponses if r.status_code == 409)
        assert "La saisie a changé entre-temps" in perdante.content.decode()
        assert len(_decisions(saisie)) == 1
