"""Une contrainte violée se dit en mots (formulaires de l'administration, `full_clean`) et non par
son nom technique (« La contrainte « partenaire_nom_unique_insensible_casse » n'est pas
respectée »), en français comme en anglais."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, UniqueConstraint
from django.utils import translation

from quartiers.models import Partenaire, Participation
from tests.factories import PartenaireFactory, ParticipationFactory

APPLICATIONS = ("quartiers", "indicateurs", "rapports")


def _contraintes_nommees_par_django():
    """Les contraintes dont Django dirait le nom : vérifications, et unicités sur une expression
    ou sous condition (une unicité sur des champs a déjà son message « … existe déjà »)."""
    for application in APPLICATIONS:
        for modele in apps.get_app_config(application).get_models():
            for contrainte in modele._meta.constraints:
                if isinstance(contrainte, CheckConstraint) or (
                    isinstance(contrainte, UniqueConstraint)
                    and (contrainte.expressions or contrainte.condition is not None)
                ):
                    yield modele, contrainte


def test_chaque_contrainte_a_son_message_traduit():
    contraintes = list(_contraintes_nommees_par_django())
    assert len(contraintes) >= 15
    for modele, contrainte in contraintes:
        message = contrainte.violation_error_message
        assert message != contrainte.default_violation_error_message, (modele, contrainte.name)
        with translation.override("en"):
            anglais = str(message)
        assert anglais != str(message), (modele, contrainte.name, "pas de traduction anglaise")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("langue", "attendu"),
    [
        ("fr", "Un partenaire porte déjà ce nom (majuscules et minuscules confondues)."),
        ("en", "A partner already has this name (ignoring upper and lower case)."),
    ],
)
def test_un_partenaire_en_double_se_dit_en_mots(langue, attendu):
    existant = PartenaireFactory(nom="Carrefour jeunesse")
    double = Partenaire(nom="CARREFOUR JEUNESSE", secteur=existant.secteur)
    with translation.override(langue), pytest.raises(ValidationError) as erreur:
        double.full_clean()
    assert attendu in erreur.value.messages


@pytest.mark.django_db
def test_une_participation_qui_finit_avant_de_commencer():
    existante = ParticipationFactory()
    participation = Participation(
        partenaire=existante.partenaire,
        table=existante.table,
        debut=datetime.date(2025, 6, 1),
        fin=datetime.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as erreur:
        participation.full_clean()
    assert "La fin ne peut pas précéder le début." in erreur.value.messages
    assert Participation.objects.count() == 1
