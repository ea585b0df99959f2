"""Le formulaire de demande d'un bilan propose par défaut la langue de l'interface : demandé
depuis l'anglais sans toucher au champ « Language », le bilan sortait en français."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_la_langue_proposee_est_celle_de_l_interface(client, alice, quartier_a, langue):
    client.force_login(alice)
    client.cookies["django_language"] = langue
    page = client.get(reverse("bilans"))
    assert page.status_code == 200
    assert page.context["form"]["langue"].value() == langue
    assert f'<option value="{langue}" selected>' in page.content.decode()
