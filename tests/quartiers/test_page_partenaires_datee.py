"""La page d'un quartier date son tableau des partenaires, comme l'accueil date sa colonne
(« Partenaires actifs au … ») : l'année en cours y compte selon le registre d'aujourd'hui, et
l'accueil, le tableau de bord et cette page donnent trois nombres qu'une date distingue. La date
s'écrit dans la langue de la page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from evalpic.dates import date_longue
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db


def _legende(client, quartier) -> str:
    contenu = client.get(reverse("quartier_detail", args=[quartier.slug])).content.decode()
    section = contenu.split('<section aria-labelledby="titre-partenaires">', 1)[1]
    (legende,) = re.findall(r"<caption>(.*?)</caption>", section.split("<details>", 1)[0], re.S)
    return legende


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_le_tableau_des_partenaires_dit_sa_date(client, eve, langue):
    quartier = construire_quartier(nom="Villeray", indicateurs=1, trimestres=1)
    client.force_login(eve)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    with translation.override(langue):
        date = date_longue(timezone.localdate())
    legende = _legende(client, quartier)
    assert date in legende
    if langue == "fr":
        assert legende == f"Partenaires actifs à la table, par année (registre au {date})"
