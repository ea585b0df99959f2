"""Le registre commence à sa première participation ou à sa première action
(`calculs.debut_du_registre`) : les actions de participation citoyenne, tirées des actions,
restaient inconnues (None) avant la première participation d'un partenaire, et partout dans un
quartier qui n'en avait aucune — courbes, bilans, « En bref » et formulaire trimestriel."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from indicateurs.calculs import debut_du_registre, indicateurs_calcules
from indicateurs.models import Calcul, IndicateurSuivi
from quartiers.models import Quartier
from rapports.instantane import construire_instantane
from rapports.lectures import Filtre, lire_registres, lire_series, mesures_du_registre
from rapports.models import Bilan
from tests.factories import (
    ActionFactory,
    IndicateurFactory,
    ParticipationFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db
d = datetime.date


def _quartier(premiere_participation: datetime.date | None) -> Quartier:
    """Une action de participation citoyenne depuis le 15 janvier 2024, un partenaire à partir de
    `premiere_participation` (aucun si None); le quartier suit les actions de participation."""
    quartier = QuartierFactory(nom="Ahuntsic", slug="ahuntsic")
    ActionFactory(quartier=quartier, debut=d(2024, 1, 15))
    if premiere_participation:
        ParticipationFactory(table=quartier.table, debut=premiere_participation)
    IndicateurSuivi.objects.create(
        quartier=quartier,
        indicateur=IndicateurFactory(
            code="actions", mode="calcule", calcul=Calcul.ACTIONS_PARTICIPATION
        ),
    )
    return quartier


def _periodes():
    return [periode_du_trimestre(2024 + r // 4, r % 4 + 1) for r in range(8)]


def test_le_registre_commence_a_la_premiere_participation_ou_action():
    participation = ParticipationFactory.build(debut=d(2024, 10, 1))
    action = ActionFactory.build(debut=d(2024, 1, 15))
    assert debut_du_registre([participation], [action]) == d(2024, 1, 15)
    assert debut_du_registre([participation], []) == d(2024, 10, 1)
    assert debut_du_registre([], [action]) == d(2024, 1, 15)
    assert debut_du_registre([], []) is None


@pytest.mark.parametrize("premiere_participation", [None, d(2024, 10, 1)])
def test_les_actions_comptent_avant_la_premiere_participation(premiere_participation):
    quartier = _quartier(premiere_participation)
    periodes = _periodes()[:4]
    mesures = mesures_du_registre(lire_registres([quartier.pk]), quartier.pk, periodes)
    assert [mesures[p.code][Calcul.ACTIONS_PARTICIPATION] for p in periodes] == [Decimal(1)] * 4
    # Le registre a commencé : aucun partenaire n'est actif, ce qui est connu (0, pas None).
    attendus = [Decimal(0)] * 3 + [Decimal(1 if premiere_participation else 0)]
    assert [mesures[p.code][Calcul.PARTENAIRES_ACTIFS] for p in periodes] == attendus
    (serie,) = lire_series([quartier], Filtre(periodes=tuple(periodes)))[quartier.pk]
    assert [p.valeur for p in serie.points] == [Decimal(1)] * 4


def test_avant_la_premiere_action_rien_n_est_connu():
    quartier = _quartier(premiere_participation=d(2024, 10, 1))
    periode = periode_du_trimestre(2023, 4)
    mesures = mesures_du_registre(lire_registres([quartier.pk]), quartier.pk, [periode])
    assert set(mesures[periode.code].values()) == {None}


def test_le_formulaire_trimestriel_lit_la_meme_regle():
    quartier = _quartier(premiere_participation=None)
    premier = periode_du_trimestre(2024, 1)
    calcules = indicateurs_calcules(quartier, premier.debut, premier.fin)
    assert calcules[Calcul.ACTIONS_PARTICIPATION] == Decimal(1)
    assert calcules[Calcul.PARTENAIRES_ACTIFS] == Decimal(0)
    avant = periode_du_trimestre(2023, 4)
    assert set(indicateurs_calcules(quartier, avant.debut, avant.fin).values()) == {None}


def test_le_bilan_et_en_bref_partent_de_la_premiere_action():
    quartier = _quartier(premiere_participation=d(2025, 10, 1))
    _periodes()
    bilan = Bilan(portee="quartier", quartier=quartier, annee=2025, trimestre=4, langue="fr")
    instantane = construire_instantane(bilan)
    (serie,) = instantane["quartiers"][0]["series"]
    assert [p["valeur"] for p in serie["points"]] == ["1"] * 8
    # « En bref » compare T4 2025 au premier T4 couvert par le registre, celui de 2024.
    registre = instantane["registre"]
    assert (registre["depart"]["libelle"], registre["fin"]["libelle"]) == ("T4 2024", "T4 2025")
    assert registre["depart"]["actions_participation"] == "1"
    assert registre["depart"]["partenaires_actifs"] == "0"
    assert registre["fin"]["partenaires_actifs"] == "1"
