"""Le même nouveau partenaire inscrit au même instant à deux tables : la seconde coordination
recevait « Un partenaire porte déjà ce nom… », à tort. En séquence, la seconde table inscrit le
partenaire existant, avec sa fiche (README, « Registre des partenaires »); au même instant, le
nom introuvable à la lecture (`_partenaire_du_nom`, qui verrouille une ligne qui n'existe pas
encore) est pris à l'écriture, et l'erreur d'unicité remontait.

Reproduction déterministe, sur de vraies transactions : la table A a inscrit le partenaire sans
l'avoir encore validé; la table B le cherche (rien), l'écrit et attend sur l'index d'unicité
(on l'observe dans `pg_stat_activity`); A valide. B doit inscrire le partenaire de A, comme en
séquence : la même fiche, et sa participation marquée « inscrite par son nom »."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from quartiers import services_registre as services
from quartiers.models import Partenaire, Participation
from tests.factories import SecteurFactory
from tests.verrous import attendre_une_ecriture_bloquee

J = datetime.date


@pytest.mark.django_db(transaction=True)
def test_la_seconde_table_inscrit_le_partenaire_que_la_premiere_vient_d_ecrire(
    quartier_a, quartier_b, alice, charlie
):
    communautaire = SecteurFactory(code="communautaire")
    sante = SecteurFactory(code="sante")
    barriere = threading.Barrier(2, timeout=5)
    liberer = threading.Event()
    resultats: dict = {}

    def table_a():  # inscrit, pas encore validé
        try:
            with transaction.atomic():
                services.inscrire_partenaire(
                    auteur=alice,
                    quartier=quartier_a,
                    role="membre",
                    debut=J(2024, 1, 1),
                    nouveau=services.DonneesPartenaire(
                        nom="Maison des jeunes", secteur=communautaire, acteur_influence=True
                    ),
                )
                barriere.wait()
                liberer.wait(5)
        finally:
            connection.close()

    def table_b():  # le même nom, une autre casse et une autre fiche
        try:
            barriere.wait()
            resultats["b"] = services.inscrire_partenaire(
                auteur=charlie,
                quartier=quartier_b,
                role="membre",
                debut=J(2024, 1, 1),
                nouveau=services.DonneesPartenaire(nom=" maison des JEUNES ", secteur=sante),
            )
        except Exception as erreur:
            resultats["b"] = erreur
        finally:
            connection.close()

    fils = [threading.Thread(target=table_a), threading.Thread(target=table_b)]
    for fil in fils:
        fil.start()
    bloque = attendre_une_ecriture_bloquee()
    liberer.set()
    for fil in fils:
        fil.join(10)

    assert bloque, "la table B aurait dû attendre l'écriture de la table A"
    assert isinstance(resultats["b"], Participation), resultats["b"]
    partenaire = Partenaire.objects.get()
    assert (partenaire.nom, partenaire.secteur_id, partenaire.acteur_influence) == (
        "Maison des jeunes",
        communautaire.pk,
        True,
    )
    participations = Participation.objects.filter(partenaire=partenaire)
    assert sorted(participations.values_list("table__quartier__slug", "inscrit_par_son_nom")) == [
        (quartier_a.slug, False),
        (quartier_b.slug, True),
    ]
    # Comme en séquence : la coordination de B ne tient pas la fiche d'un partenaire de A.
    assert not services.fiche_modifiable(charlie, partenaire)
    assert services.fiche_gardee_autre_que_la_saisie(
        services.DonneesPartenaire(nom="maison des jeunes", secteur=sante), partenaire
    )


@pytest.mark.django_db
def test_un_nom_pris_reste_une_erreur_quand_le_partenaire_n_est_pas_trouve(alice, quartier_a):
    """Seul le nom pris au même instant se rattrape : une autre erreur de la fiche (ici une
    adresse de site invalide) reste une erreur, et rien n'est écrit."""
    with pytest.raises(ValidationError) as refus:
        services.inscrire_partenaire(
            auteur=alice,
            quartier=quartier_a,
            role="membre",
            debut=J(2024, 1, 1),
            nouveau=services.DonneesPartenaire(
                nom="Carrefour", secteur=SecteurFactory(code="communautaire"), site_web="pas une"
            ),
        )
    assert "site_web" in refus.value.message_dict
    assert not Partenaire.objects.exists() and not Participation.objects.exists()
