"""Un partenaire inscrit par son nom le reste à sa deuxième inscription à la même table.

La coordination de A qui tape le nom d'un partenaire qui ne siège qu'à B l'inscrit à A, marqué
« inscrit par son nom » : la coordination de B garde le droit de corriger sa fiche
(test_w3_registre_par_son_nom). Mais cette participation le rendait visible à A : une deuxième
inscription à A (un nouveau mandat, le nom tapé de nouveau ou choisi dans la liste, où il paraît
maintenant) n'était plus marquée, et B perdait de nouveau la fiche de son propre partenaire.
« L'auteur ne le voyait pas » se décide maintenant sur ses participations visibles qui ne sont
pas elles-mêmes des inscriptions par son nom, par le nom comme par la liste.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from quartiers.models import Participation
from quartiers.services_registre import (
    DonneesPartenaire,
    fiche_modifiable,
    inscrire_partenaire,
    partenaires_visibles,
)
from tests.factories import PartenaireFactory, ParticipationFactory, SecteurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partenaire_de_b(quartier_b):
    sante = SecteurFactory(code="sante", nom_fr="Santé")
    partenaire = PartenaireFactory(nom="Maison des jeunes de B", secteur=sante)
    ParticipationFactory(table=quartier_b.table, partenaire=partenaire)
    return partenaire


@pytest.fixture
def premier_mandat(alice, quartier_a, partenaire_de_b):
    participation = inscrire_partenaire(
        auteur=alice,
        quartier=quartier_a,
        role="membre",
        debut=datetime.date(2025, 1, 1),
        fin=datetime.date(2025, 6, 30),
        nouveau=DonneesPartenaire(nom="Maison des jeunes de B", secteur=partenaire_de_b.secteur),
    )
    assert participation.inscrit_par_son_nom
    assert partenaires_visibles(alice).filter(pk=partenaire_de_b.pk).exists()
    return participation


@pytest.mark.parametrize("par", ["nom", "liste"])
def test_le_second_mandat_reste_inscrit_par_son_nom(
    alice, charlie, quartier_a, partenaire_de_b, premier_mandat, par
):
    choix = (
        {
            "nouveau": DonneesPartenaire(
                nom="maison des jeunes de b", secteur=partenaire_de_b.secteur
            )
        }
        if par == "nom"
        else {"partenaire": partenaire_de_b}
    )
    second = inscrire_partenaire(
        auteur=alice, quartier=quartier_a, role="membre", debut=datetime.date(2026, 1, 1), **choix
    )
    assert second.partenaire == partenaire_de_b
    assert second.inscrit_par_son_nom
    assert fiche_modifiable(charlie, partenaire_de_b)
    assert not fiche_modifiable(alice, partenaire_de_b)


@pytest.mark.parametrize("par", ["nom", "liste"])
def test_par_les_pages_la_coordination_de_b_garde_la_fiche(
    client, alice, charlie, quartier_a, quartier_b, partenaire_de_b, premier_mandat, par
):
    client.force_login(alice)
    reponse = client.post(
        reverse("partenaire_inscrire", kwargs={"slug": quartier_a.slug}),
        {
            "partenaire": partenaire_de_b.pk if par == "liste" else "",
            "nom": "Maison des jeunes de B" if par == "nom" else "",
            "secteur": partenaire_de_b.secteur_id if par == "nom" else "",
            "role": "membre",
            "debut": "2026-01-01",
            "fin": "",
        },
    )
    assert reponse.status_code == 302, reponse.content.decode()[:3000]
    assert Participation.objects.filter(table=quartier_a.table).count() == 2
    assert all(p.inscrit_par_son_nom for p in Participation.objects.filter(table=quartier_a.table))
    client.force_login(charlie)
    fiche = reverse(
        "partenaire_modifier", kwargs={"slug": quartier_b.slug, "pk": partenaire_de_b.pk}
    )
    assert client.get(fiche).status_code == 200


@pytest.mark.parametrize("par", ["nom", "liste"])
def test_qui_voit_sa_table_ne_l_inscrit_pas_par_son_nom(
    ada, quartier_a, partenaire_de_b, premier_mandat, par
):
    """L'administration voit la table de B : elle voit vraiment le partenaire, et son
    inscription n'est pas marquée, par le nom comme par la liste."""
    choix = (
        {
            "nouveau": DonneesPartenaire(
                nom="Maison des jeunes de B", secteur=partenaire_de_b.secteur
            )
        }
        if par == "nom"
        else {"partenaire": partenaire_de_b}
    )
    participation = inscrire_partenaire(
        auteur=ada, quartier=quartier_a, role="membre", debut=datetime.date(2026, 1, 1), **choix
    )
    assert not participation.inscrit_par_son_nom
