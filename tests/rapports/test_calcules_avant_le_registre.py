"""Avant le début du registre (`calculs.debut_du_registre` : le début de sa première
participation ou action), un indicateur calculé est inconnu, pas nul : « En bref » ne compare
rien à ce temps-là, et la courbe 0, 0, 0, 0, 3, 3, 3, 3 qu'on en tirait montait (« en bonne
voie ») alors que le registre commençait, tout simplement. Un trimestre compte dès qu'il finit
le jour du début du registre ou après (`calculs.couvert_par_le_registre`, la règle de « En
bref »)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from indicateurs.calculs import couvert_par_le_registre, debut_du_registre
from indicateurs.models import IndicateurSuivi
from quartiers.models import Quartier
from rapports.instantane import construire_instantane
from rapports.lectures import Filtre, lire_series
from rapports.models import Bilan
from rapports.selectors import tableau_pic
from rapports.series import Statut
from tests.factories import (
    IndicateurFactory,
    ParticipationFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


def _quartier_au_registre_de(nom: str, *debuts: datetime.date) -> Quartier:
    """Un quartier qui suit les partenaires actifs, sans cible ni référence, de 2024 à 2025."""
    quartier = QuartierFactory(nom=nom, slug=nom.lower())
    for debut in debuts:
        ParticipationFactory(table=quartier.table, debut=debut)
    IndicateurSuivi.objects.create(
        quartier=quartier,
        indicateur=IndicateurFactory(
            code=f"pa-{quartier.slug}", mode="calcule", calcul="partenaires_actifs"
        ),
    )
    return quartier


def _periodes():
    return [periode_du_trimestre(2024 + r // 4, r % 4 + 1) for r in range(8)]


def test_la_courbe_commence_avec_le_registre_et_ne_monte_pas_pour_autant():
    quartier = _quartier_au_registre_de("Neuf", *[datetime.date(2025, 1, 1)] * 3)
    periodes = _periodes()
    bilan = Bilan(portee="quartier", quartier=quartier, annee=2025, trimestre=4)
    instantane = construire_instantane(bilan)
    (serie,) = instantane["quartiers"][0]["series"]
    assert [p["valeur"] for p in serie["points"]] == [None] * 4 + ["3"] * 4
    # Trois partenaires stables : pas de hausse, donc pas « en bonne voie ».
    assert serie["statut"] == Statut.A_SURVEILLER
    assert instantane["registre"] is None  # « En bref » : rien d'antérieur à comparer
    (lue,) = lire_series([quartier], Filtre(periodes=tuple(periodes)))[quartier.pk]
    assert [p.valeur for p in lue.points][:4] == [None] * 4


def test_un_trimestre_compte_s_il_finit_le_jour_du_debut_du_registre():
    quartier = _quartier_au_registre_de("Bord", datetime.date(2024, 6, 30))
    (serie,) = lire_series([quartier], Filtre(periodes=tuple(_periodes())))[quartier.pk]
    assert [p.valeur for p in serie.points][:3] == [None, 1, 1]
    assert debut_du_registre([], []) is None
    assert not couvert_par_le_registre(datetime.date(2030, 1, 1), None)


def test_sans_registre_l_indicateur_calcule_n_a_pas_de_donnees():
    quartier = _quartier_au_registre_de("Vide")
    (serie,) = lire_series([quartier], Filtre(periodes=tuple(_periodes())))[quartier.pk]
    assert [p.valeur for p in serie.points] == [None] * 8
    bilan = Bilan(portee="quartier", quartier=quartier, annee=2025, trimestre=4)
    (figee,) = construire_instantane(bilan)["quartiers"][0]["series"]
    assert figee["statut"] == Statut.SANS_DONNEES


def test_la_vue_d_ensemble_ne_compte_pas_de_partenaires_avant_le_registre(eve, client):
    quartier = _quartier_au_registre_de("Neuf", *[datetime.date(2025, 1, 1)] * 3)
    tableau = tableau_pic(eve, Filtre(periodes=tuple(_periodes())))
    (ligne,) = [ligne for ligne in tableau.lignes if ligne.quartier == quartier]
    assert ligne.partenaires == [None] * 4 + [3.0] * 4
    assert ligne.statuts[Statut.A_SURVEILLER] == 1
    assert ligne.statuts[Statut.EN_BONNE_VOIE] == 0
    # La page et le CSV des partenaires : des cases vides avant le registre, pas des zéros.
    client.force_login(eve)
    assert client.get(reverse("tableau_pic")).status_code == 200
    reponse = client.get(reverse("tableau_pic"), {"csv": "partenaires"})
    lignes = reponse.content.decode("utf-8-sig").splitlines()
    assert lignes[1:3] == ["Neuf;T1 2024;;", "Neuf;T2 2024;;"]
    assert lignes[5] == "Neuf;T1 2025;3;1.099"  # trois secteurs
