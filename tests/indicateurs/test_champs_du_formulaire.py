"""Le formulaire trimestriel écrit les champs de ses indicateurs par la balise `{% champ %}`
(evalpic/templatetags/champs.py), sans inclure un gabarit par champ : ~480 inclusions par page
sur les données d'échelle."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import IndicateurFactory, IndicateurSuiviFactory

pytestmark = pytest.mark.django_db


def test_le_nombre_d_inclusions_ne_depend_pas_du_nombre_d_indicateurs(
    client, alice, quartier_a, periode
):
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    client.force_login(alice)
    inclusions = []
    for nouveaux in (1, 5):
        for _ in range(nouveaux):
            IndicateurSuiviFactory(quartier=quartier_a, indicateur=IndicateurFactory())
        reponse = client.get(url)
        assert reponse.status_code == 200
        assert b'id="id_v' in reponse.content
        inclusions.append(sum(t.name == "_partials/_champ.html" for t in reponse.templates))
    assert inclusions[0] == inclusions[1]
