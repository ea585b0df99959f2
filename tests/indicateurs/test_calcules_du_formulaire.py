"""Les indicateurs calculés du formulaire trimestriel : tirés du registre, inconnus (« — ») et
non nuls pour un trimestre qui finit avant le début du registre, comme dans les courbes des
tableaux de bord et des bilans."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from indicateurs.selectors import page_de_saisie
from tests.factories import ParticipationFactory

pytestmark = pytest.mark.django_db


def _valeur_affichee(reponse) -> str:
    bloc = re.search(
        r'indicateur__calcule"><strong>([^<]*)</strong>(.*?)</p>', reponse.content.decode()
    )
    valeur, suite = bloc.groups()
    assert ("précède le début du registre" in suite) is (valeur == "—"), suite
    return valeur


@pytest.mark.parametrize(
    ("debut_du_registre", "attendu", "affiche"),
    [
        (datetime.date(2025, 5, 1), None, "—"),  # le registre commence après le trimestre
        (datetime.date(2025, 3, 31), 2, "2"),  # le dernier jour du trimestre : couvert
        (datetime.date(2024, 1, 1), 2, "2"),
    ],
)
def test_avant_le_registre_la_valeur_est_inconnue(
    client, alice, quartier_a, periode, indicateurs_a, debut_du_registre, attendu, affiche
):
    for _ in range(2):
        ParticipationFactory(table=quartier_a.table, debut=debut_du_registre)
    ligne = next(
        ligne
        for ligne in page_de_saisie(quartier_a, periode).lignes
        if ligne.indicateur.code == "partenaires"
    )
    assert ligne.calculee == attendu
    client.force_login(alice)
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    assert _valeur_affichee(client.get(url)) == affiche


def test_sans_registre_la_valeur_est_inconnue(client, alice, quartier_a, periode, indicateurs_a):
    client.force_login(alice)
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    assert _valeur_affichee(client.get(url)) == "—"
