"""Un partenaire inscrit par son nom à une autre table ne retire pas sa fiche à sa table.

La coordination de A qui tape le nom exact d'un partenaire qui ne siège qu'à B l'inscrit à A,
avec sa fiche existante (README, « Registre des partenaires »). Deux défauts : le message de
confirmation disait le secteur de la fiche de B, et la règle « le droit de saisir sur chacune de
ses tables » retirait à la coordination de B le droit de corriger la fiche de son propre
partenaire (403) — A pouvait verrouiller B en tapant un nom.

La règle : la fiche se modifie avec le droit de saisir sur chacune des tables où le partenaire
siège, sans compter celles qui l'ont inscrit par son nom sans le voir (elles ont pris sa fiche
telle quelle); s'il ne siège plus qu'à des tables de ce genre, toutes comptent.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from quartiers.models import Participation
from quartiers.services_registre import DonneesPartenaire, fiche_modifiable, inscrire_partenaire
from tests.factories import PartenaireFactory, ParticipationFactory, SecteurFactory

pytestmark = pytest.mark.django_db

SANTE = "Santé et services sociaux"


@pytest.fixture
def partenaire_de_b(quartier_b):
    sante = SecteurFactory(code="sante", nom_fr=SANTE)
    partenaire = PartenaireFactory(nom="Maison des jeunes de B", secteur=sante)
    ParticipationFactory(table=quartier_b.table, partenaire=partenaire)
    return partenaire


def _fiche(quartier, partenaire) -> str:
    return reverse("partenaire_modifier", kwargs={"slug": quartier.slug, "pk": partenaire.pk})


def _inscrire_par_le_nom(client, quartier, nom: str):
    return client.post(
        reverse("partenaire_inscrire", kwargs={"slug": quartier.slug}),
        {
            "partenaire": "",
            "nom": nom,
            "secteur": SecteurFactory(code="communautaire", nom_fr="Communautaire").pk,
            "role": "membre",
            "debut": "2025-02-01",
            "fin": "",
        },
    )


def test_le_message_ne_dit_rien_de_la_fiche_de_b(client, alice, quartier_a, partenaire_de_b):
    client.force_login(alice)
    reponse = _inscrire_par_le_nom(client, quartier_a, "maison des jeunes de b")
    assert reponse.status_code == 302
    textes = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert textes[0] == "Maison des jeunes de B figure maintenant au registre de la table."
    assert textes[1].startswith(
        "Maison des jeunes de B était déjà au registre : ce partenaire existant est inscrit à "
        "votre table avec sa fiche, et non ce que vous avez saisi pour lui."
    )
    assert not any(SANTE in texte or "secteur" in texte for texte in textes)


def test_la_coordination_de_b_garde_la_fiche_de_son_partenaire(
    client, alice, charlie, quartier_a, quartier_b, partenaire_de_b
):
    client.force_login(alice)
    assert _inscrire_par_le_nom(client, quartier_a, "Maison des jeunes de B").status_code == 302
    par_a = Participation.objects.get(table=quartier_a.table, partenaire=partenaire_de_b)
    assert par_a.inscrit_par_son_nom
    assert not Participation.objects.get(table=quartier_b.table).inscrit_par_son_nom
    # A prend la fiche telle quelle, sans pouvoir la modifier…
    assert client.get(_fiche(quartier_a, partenaire_de_b)).status_code == 403
    # …et B la corrige toujours.
    client.force_login(charlie)
    assert client.get(_fiche(quartier_b, partenaire_de_b)).status_code == 200
    reponse = client.post(
        _fiche(quartier_b, partenaire_de_b),
        {"nom": "Maison des jeunes de B", "secteur": partenaire_de_b.secteur_id, "site_web": ""},
    )
    assert reponse.status_code == 302
    partenaire_de_b.refresh_from_db()
    assert partenaire_de_b.nom == "Maison des jeunes de B"


def test_un_nom_que_l_auteur_voit_deja_n_est_pas_une_inscription_par_le_nom(
    alice, quartier_a, partenaire_de_b
):
    """Le partenaire siégeait déjà à A (une participation finie) : taper son nom revient à le
    choisir dans la liste; la coordination de A garde la fiche qu'elle tenait."""
    mien = PartenaireFactory(nom="Carrefour")
    ParticipationFactory(
        table=quartier_a.table,
        partenaire=mien,
        debut=datetime.date(2020, 1, 1),
        fin=datetime.date(2021, 1, 1),
    )
    participation = inscrire_partenaire(
        auteur=alice,
        quartier=quartier_a,
        role="membre",
        debut=datetime.date(2025, 1, 1),
        nouveau=DonneesPartenaire(nom="carrefour", secteur=mien.secteur),
    )
    assert participation.partenaire == mien and not participation.inscrit_par_son_nom
    assert fiche_modifiable(alice, mien)


def test_un_partenaire_de_deux_tables_reste_a_qui_les_coordonne_toutes(
    alice, charlie, ada, quartier_a, quartier_b, partenaire_de_b
):
    """La règle du README, inchangée pour un partenaire inscrit à deux tables autrement que par
    son nom (choisi dans la liste, par l'administration) : il faut le droit sur les deux."""
    ParticipationFactory(table=quartier_a.table, partenaire=partenaire_de_b)
    assert not fiche_modifiable(alice, partenaire_de_b)
    assert not fiche_modifiable(charlie, partenaire_de_b)
    assert fiche_modifiable(ada, partenaire_de_b)


def test_sans_autre_table_les_inscriptions_par_le_nom_comptent(
    alice, charlie, quartier_a, quartier_b, partenaire_de_b
):
    inscrire_partenaire(
        auteur=alice,
        quartier=quartier_a,
        role="membre",
        debut=datetime.date(2025, 1, 1),
        nouveau=DonneesPartenaire(nom="Maison des jeunes de B", secteur=partenaire_de_b.secteur),
    )
    assert not fiche_modifiable(alice, partenaire_de_b)
    assert fiche_modifiable(charlie, partenaire_de_b)
    # B ne l'a plus à son registre (participation supprimée par l'administration) : A le tient.
    Participation.objects.filter(table=quartier_b.table).delete()
    assert fiche_modifiable(alice, partenaire_de_b)
    assert not fiche_modifiable(charlie, partenaire_de_b)
