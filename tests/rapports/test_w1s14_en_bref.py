"""« En bref » : un constat du registre nomme sa fenêtre (« 14 actives au cours de 2025 ») —
celle du tableau de ses chiffres, pas le dernier trimestre de la courbe de la même mesure; et la
mesure des acteurs d'influence porte un seul nom dans « En bref », celui du bilan fondateur,
dans la phrase comme dans le tableau des chiffres.

Avant : « on compte plus d'actions concrètes de participation citoyenne : 14 en 2025 » à côté
de la courbe qui montre 13 au T4 2025 (14 actions actives à un moment de l'année, 13 au
dernier trimestre); et la même mesure nommée « partenaires d'influence » dans la phrase,
« Acteurs d'influence joints » dans le tableau des chiffres."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from indicateurs.models import Calcul, ModeCollecte
from rapports import rendu
from rapports.en_bref import constats
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import (
    ActionFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    PartenaireFactory,
    ParticipationFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db
d = datetime.date


def _instantane(langue: str = "fr") -> dict:
    """Saint-Michel : registre commencé en 2016 (un partenaire, deux actions); en 2025, treize
    actions toute l'année et une quatorzième finie en juin, et un acteur d'influence arrivé."""
    for annee in (2024, 2025):
        for trimestre in (1, 2, 3, 4):
            periode_du_trimestre(annee, trimestre)
    quartier = QuartierFactory(nom="Saint-Michel", slug="saint-michel")
    actions = IndicateurFactory(
        code="actions",
        nom_fr="Actions de participation",
        mode=ModeCollecte.CALCULE,
        calcul=Calcul.ACTIONS_PARTICIPATION,
    )
    IndicateurSuiviFactory(quartier=quartier, indicateur=actions)
    ParticipationFactory(table=quartier.table, debut=d(2016, 1, 1))
    ParticipationFactory(
        table=quartier.table,
        partenaire=PartenaireFactory(acteur_influence=True),
        debut=d(2024, 6, 1),
    )
    for _rang in range(2):
        ActionFactory(quartier=quartier, debut=d(2016, 1, 1), fin=d(2016, 12, 31))
    for _rang in range(13):
        ActionFactory(quartier=quartier, debut=d(2025, 1, 1))
    ActionFactory(quartier=quartier, debut=d(2025, 1, 1), fin=d(2025, 6, 30))
    bilan = Bilan(
        portee=Portee.QUARTIER, quartier=quartier, annee=2025, trimestre=None, langue=langue
    )
    return construire_instantane(bilan)


def _par_cle(instantane: dict) -> dict:
    with translation.override(instantane["langue"]):
        return {c.cle: c for c in constats(instantane)}


def test_le_constat_nomme_la_fenetre_de_son_compte():
    instantane = _instantane()
    courbe = instantane["quartiers"][0]["series"][0]
    valeurs = {p["periode"]: p["valeur"] for p in courbe["points"]}
    assert (valeurs["2025-T2"], valeurs["2025-T4"]) == ("14", "13")  # la courbe, par trimestre
    participation = _par_cle(instantane)["participation"]
    assert participation.texte == (
        "Depuis le début du registre (2016), on compte plus d'actions concrètes de "
        "participation citoyenne : 14 actives au cours de 2025, contre 2 au cours de 2016."
    )
    # Le tableau des chiffres dit la même fenêtre et le même nombre.
    (mesure,) = participation.mesures
    assert (mesure.periode_fin, mesure.valeur_fin) == ("2025", "14")
    partenaires = _par_cle(instantane)["partenaires"].texte
    assert "(de 1 au cours de 2016 à 2 au cours de 2025)" in partenaires


def test_les_acteurs_d_influence_portent_un_seul_nom_dans_en_bref():
    instantane = _instantane()
    influence = _par_cle(instantane)["influence"]
    assert influence.texte == (
        "Depuis le début du registre (2016), le nombre d'acteurs d'influence (bailleurs, "
        "chercheurs, décideurs) actifs à la table a augmenté : 1 au cours de 2025, contre 0 au "
        "cours de 2016."
    )
    assert [m.libelle for m in influence.mesures] == ["Acteurs d'influence"]
    html = rendu.contenu(instantane, titre="Bilan")
    assert "partenaires d'influence" not in html.lower()
    assert "joints" not in html
    methodologie = html[html.index('id="methodologie"') :]
    assert '<tr><th scope="row">Acteurs d&#x27;influence</th><td>2016</td>' in methodologie


def test_la_methodologie_dit_ce_que_compte_une_mesure_du_registre():
    html = rendu.contenu(_instantane(), titre="Bilan")
    methodologie = html[html.index('id="methodologie"') :]
    assert (
        "Une mesure du registre compte les partenaires ou les actions actifs à un moment de sa "
        "période : sur une année, elle peut dépasser la valeur du dernier trimestre sur la "
        "courbe de l'indicateur."
    ) in methodologie


def test_en_anglais():
    """Attend la traduction des nouveaux messages au catalogue anglais."""
    tous = _par_cle(_instantane("en"))
    assert tous["participation"].texte == (
        "Since the start of the registry (2016), there are more concrete citizen-participation "
        "actions: 14 active during 2025, compared with 2 during 2016."
    )
    assert tous["influence"].texte == (
        "Since the start of the registry (2016), the number of influential actors (funders, "
        "researchers, decision-makers) active at the roundtable has increased: 1 during 2025, "
        "compared with 0 during 2016."
    )
    assert [m.libelle for m in tous["influence"].mesures] == ["Influential actors"]
