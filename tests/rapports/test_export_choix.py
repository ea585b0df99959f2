"""Les listes de la page d'export n'offrent que ce qui peut donner des lignes : ni un indicateur
calculé à partir du registre (il n'a pas de valeurs saisies), ni un trimestre à venir; un tel
code donné dans l'adresse est refusé par un 400 à côté du champ, comme un code inconnu."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import Calcul, ModeCollecte, StatutPeriode
from tests.factories import IndicateurFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

PAGE = reverse("export_valeurs")
CSV = reverse("export_valeurs_csv")


@pytest.fixture
def page(client, eve):
    IndicateurFactory(code="saisi-1")
    IndicateurFactory(
        code="partenaires-calcule", mode=ModeCollecte.CALCULE, calcul=Calcul.PARTENAIRES_ACTIFS
    )
    periode_du_trimestre(2025, 1, statut=StatutPeriode.FERMEE)
    periode_du_trimestre(2025, 2, statut=StatutPeriode.OUVERTE)
    periode_du_trimestre(2025, 3, statut=StatutPeriode.A_VENIR)
    client.force_login(eve)
    reponse = client.get(PAGE)
    assert reponse.status_code == 200
    return reponse.content.decode()


def _liste(contenu: str, nom: str) -> str:
    return contenu.split(f'<select name="{nom}"')[1].split("</select>")[0]


def test_un_indicateur_calcule_n_est_pas_offert(page):
    indicateurs = _liste(page, "indicateur")
    assert 'value="saisi-1"' in indicateurs
    assert "partenaires-calcule" not in indicateurs


@pytest.mark.parametrize("champ", ["debut", "fin"])
def test_un_trimestre_a_venir_n_est_pas_offert(page, champ):
    periodes = _liste(page, champ)
    assert 'value="2025-T1"' in periodes
    assert 'value="2025-T2"' in periodes
    assert "2025-T3" not in periodes


@pytest.mark.parametrize(
    ("filtre", "valeur"), [("indicateur", "partenaires-calcule"), ("fin", "2025-T3")]
)
def test_dans_l_adresse_ils_sont_refuses_a_cote_du_champ(client, page, filtre, valeur):
    reponse = client.get(CSV, {filtre: valeur})
    assert reponse.status_code == 400
    assert reponse.context["form"].errors[filtre]
