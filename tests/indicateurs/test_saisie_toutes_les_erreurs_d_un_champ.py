"""Formulaire de saisie : toutes les erreurs d'un champ paraissent au premier envoi, rien n'est
enregistré. Avant : une valeur illisible (ou hors bornes) cochée « non disponible » ne montrait
que « n'est pas un nombre »; « une valeur non disponible ne peut pas avoir de valeur » n'arrivait
qu'au second envoi, la valeur corrigée. De même, à « Enregistrer et soumettre », un lien mal
formé cachait « Valeur manquante » du même indicateur."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from indicateurs import services
from indicateurs.models import Saisie, Valeur
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db

PAS_UN_NOMBRE = "« abc » n'est pas un nombre."
CONTRADICTION = "Une valeur « non disponible » ne peut pas avoir de valeur."
SANS_RAISON = "Expliquez pourquoi la valeur n'est pas disponible."
MANQUANTE = "Valeur manquante : entrez-la ou cochez « non disponible » avec une raison."


@pytest.fixture
def url(quartier_a, periode):
    return reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})


def _envoyer(client, alice, url, champs: dict, action: str = "enregistrer"):
    client.force_login(alice)
    reponse = client.post(url, {"version": "1", "action": action, **champs})
    assert reponse.status_code == 400
    assert not Saisie.objects.exists() and not Valeur.objects.exists()  # rien d'enregistré
    return reponse, reponse.context["form"].errors


def _erreurs_affichees(reponse, champ: str) -> list[str]:
    """Les messages écrits sous le champ, dans la page."""
    (liste,) = re.findall(
        rf'<ul class="erreurs" id="id_{champ}_error">(.*?)</ul>', reponse.content.decode(), re.S
    )
    return re.findall(r"<li>(.*?)</li>", liste)


@pytest.mark.parametrize("action", ["enregistrer", "soumettre"])
def test_une_valeur_illisible_non_disponible_a_ses_deux_erreurs(
    client, alice, url, indicateurs_a, action
):
    menages = indicateurs_a["menages"].pk
    champs = {f"v{menages}": "abc", f"nd{menages}": "on", f"r{menages}": "Pas de données"}
    reponse, erreurs = _envoyer(client, alice, url, champs, action)
    assert erreurs[f"v{menages}"] == [PAS_UN_NOMBRE, CONTRADICTION]
    assert _erreurs_affichees(reponse, f"v{menages}") == [
        "« abc » n&#x27;est pas un nombre.",
        "Une valeur « non disponible » ne peut pas avoir de valeur.",
    ]
    assert f"r{menages}" not in erreurs  # la raison est là


def test_une_valeur_illisible_non_disponible_sans_raison_a_ses_trois_erreurs(
    client, alice, url, indicateurs_a
):
    menages = indicateurs_a["menages"].pk
    champs = {f"v{menages}": "abc", f"nd{menages}": "on", f"r{menages}": ""}
    _reponse, erreurs = _envoyer(client, alice, url, champs, "soumettre")
    assert erreurs[f"v{menages}"] == [PAS_UN_NOMBRE, CONTRADICTION]
    assert erreurs[f"r{menages}"] == [SANS_RAISON]


def test_une_valeur_hors_bornes_non_disponible_a_ses_deux_erreurs(
    client, alice, url, indicateurs_a
):
    taux = indicateurs_a["taux"].pk
    champs = {f"v{taux}": "150", f"nd{taux}": "on", f"r{taux}": "Pas de données"}
    _reponse, erreurs = _envoyer(client, alice, url, champs)
    assert len(erreurs[f"v{taux}"]) == 2
    assert "entre 0 et 100" in erreurs[f"v{taux}"][0]
    assert erreurs[f"v{taux}"][1] == CONTRADICTION


def test_un_texte_trop_long_non_disponible_a_ses_deux_erreurs(client, alice, url, indicateurs_a):
    politique = indicateurs_a["politique"].pk
    champs = {f"v{politique}": "x" * 2001, f"nd{politique}": "on", f"r{politique}": "Rien"}
    _reponse, erreurs = _envoyer(client, alice, url, champs)
    assert len(erreurs[f"v{politique}"]) == 2
    assert "2000" in erreurs[f"v{politique}"][0]
    assert erreurs[f"v{politique}"][1] == CONTRADICTION


def test_une_erreur_de_forme_seule_ne_recoit_pas_la_contradiction(
    client, alice, url, indicateurs_a
):
    menages = indicateurs_a["menages"].pk
    _reponse, erreurs = _envoyer(client, alice, url, {f"v{menages}": "abc"})
    assert erreurs[f"v{menages}"] == [PAS_UN_NOMBRE]


def test_un_lien_mal_forme_ne_cache_pas_la_valeur_manquante(client, alice, url, indicateurs_a):
    menages = indicateurs_a["menages"].pk
    champs = {f"v{menages}": "", f"p{menages}": "pas un lien"}
    _reponse, erreurs = _envoyer(client, alice, url, champs, "soumettre")
    assert len(erreurs[f"p{menages}"]) == 1
    assert erreurs[f"v{menages}"] == [MANQUANTE]


def test_une_raison_trop_longue_ne_cache_pas_la_valeur_manquante(client, alice, url, indicateurs_a):
    menages = indicateurs_a["menages"].pk
    champs = {f"v{menages}": "", f"r{menages}": "x" * 501}
    _reponse, erreurs = _envoyer(client, alice, url, champs, "soumettre")
    assert f"r{menages}" in erreurs
    assert erreurs[f"v{menages}"] == [MANQUANTE]


def test_un_commentaire_illisible_ne_fait_pas_reclamer_un_commentaire(
    client, alice, url, table_a, indicateurs_a
):
    """Une valeur inhabituelle a un commentaire, trop long : on ne réclame pas d'en ajouter un."""
    menages = indicateurs_a["menages"]
    for trimestre, valeur in zip([1, 2, 3, 4], [100, 104, 98, 102], strict=True):
        ancienne = services.saisie_pour(
            table=table_a,
            periode=periode_du_trimestre(2024, trimestre),
            periode_fermee_permise=True,
        )
        Valeur.objects.create(saisie=ancienne, indicateur=menages, valeur_numerique=valeur)
    client.force_login(alice)
    avant = Valeur.objects.count()
    reponse = client.post(
        url,
        {
            "version": "1",
            "action": "soumettre",
            f"v{menages.pk}": "1000",
            f"c{menages.pk}": "x" * 2001,
        },
    )
    assert reponse.status_code == 400
    erreurs = reponse.context["form"].errors
    assert f"c{menages.pk}" in erreurs
    assert f"v{menages.pk}" not in erreurs
    assert Valeur.objects.count() == avant
