"""Un compte dont le nom figure dans l'historique ne se supprime pas dans l'admin : il se désactive.
Avant : la suppression passait, et les clés SET_NULL effaçaient son nom de l'historique des
valeurs (« qui, quand, ancien, nouveau, pourquoi »), des apprentissages et des bilans, sans un mot
sur la page de confirmation. Les clés gardent leur SET_NULL (quartiers.comptes)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import Apprentissage, EvenementSaisie, Periode, Saisie, TypeEvenement
from quartiers.models import Utilisateur
from rapports.models import Bilan, Portee
from tests.factories import UtilisateurFactory, construire_quartier

pytestmark = pytest.mark.django_db

LISTE = "admin:quartiers_utilisateur_changelist"


@pytest.fixture
def quartier():
    return construire_quartier(nom="Histo", indicateurs=1, trimestres=1)


def _evenement(personne, quartier):
    saisie = Saisie.objects.get(table=quartier.table)
    EvenementSaisie.objects.create(
        saisie=saisie, type_evenement=TypeEvenement.CREATION, auteur=personne, version=1
    )


def _apprentissage(personne, quartier):
    Apprentissage.objects.create(
        quartier=quartier,
        periode=Periode.objects.first(),
        categorie="defis",
        texte_fr="Une pénurie de bénévoles.",
        auteur=personne,
    )


def _bilan(personne, quartier):
    Bilan.objects.create(
        portee=Portee.QUARTIER, quartier=quartier, annee=2026, trimestre=2, demande_par=personne
    )


@pytest.mark.parametrize("ecrire", [_evenement, _apprentissage, _bilan])
def test_un_auteur_de_l_historique_ne_se_supprime_pas(client, ada, quartier, ecrire):
    partie = UtilisateurFactory(email="partie@exemple.org", first_name="Partie", last_name="")
    ecrire(partie, quartier)
    client.force_login(ada)
    suppression = reverse("admin:quartiers_utilisateur_delete", args=[partie.pk])
    fiche = reverse("admin:quartiers_utilisateur_change", args=[partie.pk])
    for reponse in (client.get(suppression), client.post(suppression, {"post": "yes"})):
        assert reponse.status_code == 302 and reponse["Location"] == fiche
    assert Utilisateur.objects.filter(pk=partie.pk).exists()
    message = [str(m) for m in client.get(fiche).context["messages"]][-1]
    assert message.startswith("Le compte de Partie n'est pas supprimé : son nom figure dans")
    assert "décochez plutôt « Actif »" in message


def test_l_action_supprimer_refuse_tout_si_un_compte_coche_a_un_historique(client, ada, quartier):
    partie = UtilisateurFactory(email="partie@exemple.org", first_name="Partie", last_name="")
    _evenement(partie, quartier)
    jamais_venue = UtilisateurFactory(email="jamais@exemple.org")
    client.force_login(ada)
    reponse = client.post(
        reverse(LISTE),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [partie.pk, jamais_venue.pk],
        },
        follow=True,
    )
    assert Utilisateur.objects.filter(pk__in=[partie.pk, jamais_venue.pk]).count() == 2
    messages = [str(m) for m in reponse.context["messages"]]
    assert messages and messages[0].startswith("Le compte de Partie n'est pas supprimé")
    assert EvenementSaisie.objects.get().auteur == partie


def test_un_compte_sans_historique_se_supprime(client, ada, quartier):
    jamais_venue = UtilisateurFactory(email="jamais@exemple.org")
    autre = UtilisateurFactory(email="autre@exemple.org")
    client.force_login(ada)
    suppression = reverse("admin:quartiers_utilisateur_delete", args=[jamais_venue.pk])
    assert client.get(suppression).status_code == 200  # la confirmation de Django
    assert client.post(suppression, {"post": "yes"}).status_code == 302
    assert not Utilisateur.objects.filter(pk=jamais_venue.pk).exists()
    client.post(
        reverse(LISTE), {"action": "delete_selected", "post": "yes", "_selected_action": [autre.pk]}
    )
    assert not Utilisateur.objects.filter(pk=autre.pk).exists()
