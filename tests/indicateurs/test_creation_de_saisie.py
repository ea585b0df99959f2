"""La saisie naît dans la transaction de sa première écriture : une écriture refusée ne laisse
ni brouillon vide ni événement « création »."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, TypeEvenement
from indicateurs.validation import DonneeValeur

pytestmark = pytest.mark.django_db


def test_la_premiere_ecriture_cree_la_saisie_avec_son_historique(
    table_a, periode, alice, indicateurs_a
):
    menages = indicateurs_a["menages"].pk
    resultat = services.enregistrer_saisie(
        table=table_a,
        periode=periode,
        auteur=alice,
        version=1,
        donnees={menages: DonneeValeur(valeur=Decimal(12))},
    )
    saisie = Saisie.objects.get(table=table_a, periode=periode)
    assert resultat.saisie == saisie and saisie.version == 2
    assert list(saisie.evenements.order_by("pk").values_list("type_evenement", flat=True)) == [
        TypeEvenement.CREATION,
        TypeEvenement.VALEUR,
    ]


def test_une_donnee_refusee_ne_cree_pas_la_saisie(table_a, periode, alice, indicateurs_a):
    politique = indicateurs_a["politique"].pk
    with pytest.raises(ValidationError):
        services.enregistrer_saisie(
            table=table_a,
            periode=periode,
            auteur=alice,
            version=1,
            donnees={politique: DonneeValeur(non_disponible=True, raison="")},
        )
    assert not Saisie.objects.exists()
    assert not EvenementSaisie.objects.exists()


def test_un_refus_dans_la_transaction_defait_aussi_la_creation(
    table_a, periode, alice, indicateurs_a
):
    # Le conflit de version est découvert après la création : elle est défaite avec le reste.
    menages = indicateurs_a["menages"].pk
    with pytest.raises(services.ConflitDeVersion):
        services.enregistrer_saisie(
            table=table_a,
            periode=periode,
            auteur=alice,
            version=7,
            donnees={menages: DonneeValeur(valeur=Decimal(12))},
        )
    assert not Saisie.objects.exists()
    assert not EvenementSaisie.objects.exists()


def test_saisie_pour_cree_la_saisie_et_son_evenement_ensemble(table_a, periode, alice):
    with (
        mock.patch.object(EvenementSaisie.objects, "create", side_effect=DatabaseError),
        pytest.raises(DatabaseError),
    ):
        services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    assert not Saisie.objects.exists()
