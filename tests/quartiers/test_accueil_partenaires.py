"""L'accueil date la colonne des partenaires actifs : c'est le nombre d'aujourd'hui (la page du
quartier les compte par année, le tableau de bord sur sa période), et la date le dit."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.factories import ParticipationFactory, construire_quartier

pytestmark = pytest.mark.django_db


def test_l_accueil_dit_a_quelle_date_les_partenaires_sont_actifs(client, eve):
    quartier = construire_quartier(nom="Villeray", indicateurs=2, trimestres=1, partenaires=0)
    aujourd_hui = timezone.localdate()
    ParticipationFactory(table=quartier.table, debut=datetime.date(2018, 1, 1))
    # Active plus tôt dans l'année, plus aujourd'hui : comptée par année, pas à l'accueil.
    ParticipationFactory(
        table=quartier.table,
        debut=datetime.date(2018, 1, 1),
        fin=aujourd_hui - datetime.timedelta(days=1),
    )
    client.force_login(eve)
    contenu = client.get(reverse("accueil")).content.decode()
    date = date_format(aujourd_hui, "SHORT_DATE_FORMAT")
    assert f'<th scope="col" class="nombre">Partenaires actifs au {date}</th>' in contenu
    # Partenaires actifs (1), puis indicateurs suivis (2).
    assert re.search(r'<td class="nombre">1</td>\s*<td class="nombre">2</td>', contenu)
