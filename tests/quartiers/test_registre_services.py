"""Le registre des partenaires tenu par la coordination (`quartiers.services_registre`) :
inscrire un partenaire connu ou nouveau, modifier une participation (un départ), modifier une
fiche; les refus (chevauchement, fin avant le début, nom pris, droits) n'écrivent rien; les
indicateurs calculés suivent le registre."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from indicateurs.calculs import indicateurs_calcules
from indicateurs.models import Calcul
from quartiers.models import Partenaire, Participation
from quartiers.services_registre import (
    DonneesPartenaire,
    fiche_modifiable,
    inscrire_partenaire,
    modifier_partenaire,
    modifier_participation,
    partenaires_visibles,
)
from tests.factories import PartenaireFactory, ParticipationFactory, SecteurFactory

pytestmark = pytest.mark.django_db

J = datetime.date


def _nouveau(nom="Carrefour jeunesse", **champs) -> DonneesPartenaire:
    return DonneesPartenaire(
        nom=nom, secteur=champs.pop("secteur", None) or SecteurFactory(), **champs
    )


def _erreurs(refus) -> dict:
    return refus.value.message_dict


# --- Inscrire --------------------------------------------------------------------------------


def test_alice_inscrit_un_nouveau_partenaire_avec_sa_participation(alice, quartier_a):
    secteur = SecteurFactory(code="sante")
    participation = inscrire_partenaire(
        auteur=alice,
        quartier=quartier_a,
        role="porteur",
        debut=J(2025, 3, 1),
        nouveau=DonneesPartenaire(
            nom="  CLSC du quartier ",
            secteur=secteur,
            acteur_influence=True,
            site_web="https://clsc.exemple.org",
        ),
    )
    participation.refresh_from_db()
    assert participation.table == quartier_a.table
    assert (participation.role, participation.debut, participation.fin) == (
        "porteur",
        J(2025, 3, 1),
        None,
    )
    partenaire = participation.partenaire
    assert (partenaire.nom, partenaire.secteur, partenaire.acteur_influence) == (
        "CLSC du quartier",
        secteur,
        True,
    )
    assert partenaire.site_web == "https://clsc.exemple.org"


def test_alice_inscrit_un_partenaire_qui_siege_deja_a_une_autre_table_visible(
    alice, quartier_a, quartier_b, ada
):
    # Alice voit le partenaire s'il siège à une table qu'elle voit : la sienne, une fin passée.
    partenaire = ParticipationFactory(
        table=quartier_a.table, debut=J(2018, 1, 1), fin=J(2019, 12, 31)
    ).partenaire
    participation = inscrire_partenaire(
        auteur=alice, quartier=quartier_a, role="membre", debut=J(2024, 1, 1), partenaire=partenaire
    )
    assert participation.partenaire == partenaire
    assert Partenaire.objects.count() == 1
    # L'administration inscrit à B un partenaire de A : une organisation, plusieurs tables.
    inscrire_partenaire(
        auteur=ada, quartier=quartier_b, role="membre", debut=J(2024, 1, 1), partenaire=partenaire
    )
    assert partenaire.participations.count() == 3


def test_un_partenaire_d_une_table_invisible_n_est_pas_un_choix(charlie, quartier_a, quartier_b):
    partenaire_a = ParticipationFactory(table=quartier_a.table).partenaire
    assert partenaire_a not in partenaires_visibles(charlie)
    with pytest.raises(ValidationError) as refus:
        inscrire_partenaire(
            auteur=charlie,
            quartier=quartier_b,
            role="membre",
            debut=J(2024, 1, 1),
            partenaire=partenaire_a,
        )
    assert _erreurs(refus) == {"partenaire": ["Ce partenaire est introuvable."]}
    assert not Participation.objects.filter(table=quartier_b.table).exists()


@pytest.mark.parametrize("les_deux", [True, False])
def test_ni_l_un_ni_l_autre_ou_les_deux_est_refuse(alice, quartier_a, les_deux):
    partenaire = ParticipationFactory(table=quartier_a.table, fin=J(2019, 1, 1)).partenaire
    with pytest.raises(ValidationError) as refus:
        inscrire_partenaire(
            auteur=alice,
            quartier=quartier_a,
            role="membre",
            debut=J(2024, 1, 1),
            partenaire=partenaire if les_deux else None,
            nouveau=_nouveau() if les_deux else None,
        )
    assert set(_erreurs(refus)) == {"partenaire", "nom"}
    assert Partenaire.objects.count() == 1


def test_un_partenaire_deja_actif_pour_une_periode_qui_chevauche_est_refuse(alice, quartier_a):
    existante = ParticipationFactory(table=quartier_a.table, debut=J(2020, 1, 1))
    with pytest.raises(ValidationError) as refus:
        inscrire_partenaire(
            auteur=alice,
            quartier=quartier_a,
            role="membre",
            debut=J(2024, 1, 1),
            partenaire=existante.partenaire,
        )
    (message,) = _erreurs(refus)["debut"]
    assert "participe déjà à cette table depuis le" in message
    assert existante.partenaire.nom in message
    assert Participation.objects.count() == 1


def test_une_periode_qui_finit_avant_la_participation_existante_est_acceptee(alice, quartier_a):
    existante = ParticipationFactory(table=quartier_a.table, debut=J(2020, 1, 1))
    inscrire_partenaire(
        auteur=alice,
        quartier=quartier_a,
        role="membre",
        debut=J(2016, 1, 1),
        fin=J(2019, 12, 31),
        partenaire=existante.partenaire,
    )
    with pytest.raises(ValidationError) as refus:  # un jour de trop : elles se touchent
        inscrire_partenaire(
            auteur=alice,
            quartier=quartier_a,
            role="membre",
            debut=J(2015, 1, 1),
            fin=J(2016, 1, 1),
            partenaire=existante.partenaire,
        )
    assert "du " in _erreurs(refus)["debut"][0]
    assert Participation.objects.count() == 2


def test_une_fin_avant_le_debut_est_refusee_par_la_regle_du_modele_sans_rien_ecrire(
    alice, quartier_a
):
    with pytest.raises(ValidationError) as refus:
        inscrire_partenaire(
            auteur=alice,
            quartier=quartier_a,
            role="membre",
            debut=J(2024, 1, 1),
            fin=J(2023, 12, 31),
            nouveau=_nouveau(),
        )
    assert _erreurs(refus) == {"fin": ["La fin ne peut pas précéder le début."]}
    # Tout ou rien : le nouveau partenaire n'est pas resté au registre.
    assert not Partenaire.objects.exists()


def test_un_nom_deja_au_registre_inscrit_ce_partenaire_avec_sa_fiche(alice, quartier_a, quartier_b):
    """Une organisation qui ne siège qu'à une table invisible d'Alice n'est pas dans sa liste;
    son nom (à la casse près) l'inscrit à la table d'Alice avec sa fiche, inchangée. Avant :
    « Un partenaire porte déjà ce nom », et aucune issue."""
    existant = PartenaireFactory(nom="Carrefour jeunesse", acteur_influence=True)
    ParticipationFactory(partenaire=existant, table=quartier_b.table)
    participation = inscrire_partenaire(
        auteur=alice,
        quartier=quartier_a,
        role="membre",
        debut=J(2024, 1, 1),
        nouveau=_nouveau(nom="  CARREFOUR JEUNESSE "),
    )
    assert participation.partenaire == existant
    assert participation.table == quartier_a.table
    existant.refresh_from_db()
    assert (existant.nom, existant.acteur_influence) == ("Carrefour jeunesse", True)
    assert Partenaire.objects.count() == 1


def test_droits_bob_voit_sans_saisir_charlie_ne_voit_pas_eve_ne_tient_pas_le_registre(
    bob, charlie, eve, quartier_a
):
    for personne, refus_attendu in ((bob, PermissionDenied), (eve, PermissionDenied)):
        with pytest.raises(refus_attendu):
            inscrire_partenaire(
                auteur=personne,
                quartier=quartier_a,
                role="membre",
                debut=J(2024, 1, 1),
                nouveau=_nouveau(),
            )
    with pytest.raises(Http404):
        inscrire_partenaire(
            auteur=charlie,
            quartier=quartier_a,
            role="membre",
            debut=J(2024, 1, 1),
            nouveau=_nouveau(),
        )
    assert not Partenaire.objects.exists()


# --- Modifier ---------------------------------------------------------------------------------


def test_alice_inscrit_le_depart_d_un_partenaire(alice, quartier_a):
    participation = ParticipationFactory(table=quartier_a.table, debut=J(2020, 1, 1))
    modifier_participation(
        auteur=alice,
        participation=participation,
        role="comite",
        debut=J(2020, 1, 1),
        fin=J(2025, 6, 30),
    )
    participation.refresh_from_db()
    assert (participation.role, participation.fin) == ("comite", J(2025, 6, 30))


def test_modifier_une_participation_pour_chevaucher_une_autre_est_refuse(alice, quartier_a):
    ancienne = ParticipationFactory(
        table=quartier_a.table, debut=J(2016, 1, 1), fin=J(2017, 12, 31)
    )
    recente = ParticipationFactory(
        table=quartier_a.table, partenaire=ancienne.partenaire, debut=J(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as refus:
        modifier_participation(
            auteur=alice, participation=recente, role="membre", debut=J(2017, 6, 1), fin=None
        )
    assert "du " in _erreurs(refus)["debut"][0]
    recente.refresh_from_db()
    assert recente.debut == J(2020, 1, 1)
    # Elle-même ne compte pas : changer sa propre fin n'est pas un chevauchement.
    modifier_participation(
        auteur=alice, participation=recente, role="membre", debut=J(2020, 1, 1), fin=J(2024, 1, 1)
    )


def test_modifier_la_participation_de_b_est_interdit_a_alice(alice, quartier_b):
    participation = ParticipationFactory(table=quartier_b.table)
    with pytest.raises(Http404):
        modifier_participation(
            auteur=alice, participation=participation, role="membre", debut=J(2020, 1, 1)
        )


def test_alice_modifie_la_fiche_d_un_partenaire_de_sa_seule_table(alice, quartier_a):
    partenaire = ParticipationFactory(table=quartier_a.table).partenaire
    secteur = SecteurFactory(code="education")
    modifier_partenaire(
        auteur=alice,
        quartier=quartier_a,
        partenaire=partenaire,
        donnees=DonneesPartenaire(nom="École Sainte-Lucie", secteur=secteur, acteur_influence=True),
    )
    partenaire.refresh_from_db()
    assert (partenaire.nom, partenaire.secteur, partenaire.acteur_influence) == (
        "École Sainte-Lucie",
        secteur,
        True,
    )


def test_la_fiche_d_un_partenaire_qui_siege_aussi_a_b_est_a_l_administration(
    alice, ada, quartier_a, quartier_b
):
    partenaire = ParticipationFactory(table=quartier_a.table).partenaire
    ParticipationFactory(table=quartier_b.table, partenaire=partenaire)
    assert not fiche_modifiable(alice, partenaire)
    assert fiche_modifiable(ada, partenaire)
    with pytest.raises(PermissionDenied):
        modifier_partenaire(
            auteur=alice,
            quartier=quartier_a,
            partenaire=partenaire,
            donnees=_nouveau(nom="Autre nom"),
        )
    partenaire.refresh_from_db()
    assert partenaire.nom != "Autre nom"


# --- Les indicateurs calculés suivent le registre ----------------------------------------------


def test_les_partenaires_actifs_comptent_l_inscription_puis_le_depart(alice, quartier_a):
    ParticipationFactory(table=quartier_a.table, debut=J(2018, 1, 1))
    annee_2025 = (J(2025, 1, 1), J(2025, 12, 31))

    def actifs() -> int:
        return int(indicateurs_calcules(quartier_a, *annee_2025)[Calcul.PARTENAIRES_ACTIFS])

    assert actifs() == 1
    participation = inscrire_partenaire(
        auteur=alice,
        quartier=quartier_a,
        role="membre",
        debut=J(2024, 9, 1),
        nouveau=_nouveau(acteur_influence=True),
    )
    assert actifs() == 2
    assert indicateurs_calcules(quartier_a, *annee_2025)[Calcul.ACTEURS_INFLUENCE] == 1
    modifier_participation(
        auteur=alice,
        participation=participation,
        role="membre",
        debut=J(2024, 9, 1),
        fin=J(2024, 12, 31),
    )
    assert actifs() == 1
