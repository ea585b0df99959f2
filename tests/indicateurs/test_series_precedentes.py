"""La série à laquelle une nouvelle valeur se compare (`Valeur.objects.series_precedentes`) : une
lecture du QuerySet des valeurs, partagée par le service d'enregistrement, la règle de
soumission et le formulaire de saisie."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicateurs import services
from indicateurs.models import Saisie, StatutPeriode, Valeur
from tests.factories import IndicateurFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _valeurs(table, indicateur, valeurs_par_trimestre: dict[tuple[int, int], dict]) -> None:
    """Une saisie par trimestre (créées dans l'ordre donné), une valeur de `indicateur` chacune."""
    for (annee, trimestre), champs in valeurs_par_trimestre.items():
        saisie, _ = Saisie.objects.get_or_create(
            table=table, periode=periode_du_trimestre(annee, trimestre), statut="validee"
        )
        Valeur.objects.create(saisie=saisie, indicateur=indicateur, **champs)


def test_la_serie_est_chronologique_et_ne_garde_que_les_nombres_anterieurs(quartier_a, quartier_b):
    suivi, autre = IndicateurFactory(code="suivi"), IndicateurFactory(code="autre")
    # Créées dans le désordre : l'ordre vient des périodes, pas des clés.
    _valeurs(
        quartier_a.table,
        suivi,
        {
            (2024, 3): {"valeur_numerique": Decimal(3)},
            (2024, 1): {"valeur_numerique": Decimal(1)},
            (2024, 2): {"non_disponible": True, "raison_non_disponible": "pas de relevé"},
            (2024, 4): {"valeur_numerique": Decimal(4)},
            (2025, 1): {"valeur_numerique": Decimal(99)},  # la période elle-même
            (2025, 2): {"valeur_numerique": Decimal(98)},  # postérieure
        },
    )
    _valeurs(quartier_a.table, autre, {(2024, 1): {"valeur_numerique": Decimal(50)}})
    _valeurs(quartier_b.table, suivi, {(2024, 1): {"valeur_numerique": Decimal(70)}})
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)

    series = Valeur.objects.series_precedentes(quartier_a.table, periode, [suivi.pk])

    assert series == {suivi.pk: [Decimal(1), Decimal(3), Decimal(4)]}


def test_une_requete_quel_que_soit_l_historique(quartier_a, quartier_b, django_assert_num_queries):
    indicateurs = [IndicateurFactory() for _ in range(3)]
    periode = periode_du_trimestre(2030, 1, statut=StatutPeriode.OUVERTE)
    for quartier, trimestres in ((quartier_a, 2), (quartier_b, 20)):
        trimestres_ecoules = {
            (2020 + rang // 4, rang % 4 + 1): {"valeur_numerique": Decimal(rang)}
            for rang in range(trimestres)
        }
        for indicateur in indicateurs:
            _valeurs(quartier.table, indicateur, trimestres_ecoules)
        # Une requête : les valeurs antérieures des indicateurs demandés, triées par période.
        with django_assert_num_queries(1):
            series = Valeur.objects.series_precedentes(
                quartier.table, periode, (i.pk for i in indicateurs)
            )
        assert [len(series[i.pk]) for i in indicateurs] == [trimestres] * 3


def test_la_lecture_n_est_plus_une_fonction_de_service():
    """Une lecture n'a pas sa place parmi les écritures (STYLE.md) : pas d'alias laissé derrière."""
    assert not hasattr(services, "series_precedentes")
