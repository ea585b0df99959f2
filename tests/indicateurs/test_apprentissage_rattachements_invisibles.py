"""La page « Ajouter un apprentissage » ne distingue pas un rattachement qu'on ne voit pas d'un
id qui n'existe pas : un indicateur proposé par un autre quartier et un changement visé d'un
quartier invisible reçoivent « Sélectionnez un choix valide », comme dans l'API
(IndicateurConnuField, ChangementVisibleField). Ce qu'on voit sans pouvoir le rattacher garde
le message du service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import Apprentissage, StatutIndicateur
from tests.factories import (
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

INEXISTANT = "999999"


@pytest.fixture
def ailleurs(quartier_a, quartier_b, charlie) -> dict:
    """Dans B : une proposition d'indicateur de sa coordination et un changement visé."""
    periode_du_trimestre(2024, 1)
    propose = IndicateurFactory(
        code="secret-b", statut=StatutIndicateur.PROPOSE, propose_par=charlie
    )
    IndicateurSuiviFactory(quartier=quartier_b, indicateur=propose)
    return {
        "indicateur": propose,
        "changement": ChangementViseFactory(strategie=StrategieFactory(quartier=quartier_b)),
    }


def _erreurs(client, personne, quartier, champ: str, valeur: str) -> list[str]:
    client.force_login(personne)
    url = reverse("apprentissage_nouveau", kwargs={"slug": quartier.slug})
    donnees = {"periode": "2024-T1", "categorie": "defis", "texte_fr": "x", champ: valeur}
    reponse = client.post(url, donnees)
    assert reponse.status_code == 400
    assert not Apprentissage.objects.exists()
    return [m.replace(valeur, "«id»") for m in reponse.context["form"].errors[champ]]


@pytest.mark.parametrize("champ", ["indicateur", "changement"])
def test_alice_recoit_le_meme_message_pour_un_rattachement_de_b_et_un_id_inexistant(
    client, alice, quartier_a, ailleurs, champ
):
    de_b = _erreurs(client, alice, quartier_a, champ, str(ailleurs[champ].pk))
    inexistant = _erreurs(client, alice, quartier_a, champ, INEXISTANT)
    assert de_b == inexistant
    assert de_b == [
        "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    ]


@pytest.mark.parametrize(
    ("champ", "message"),
    [
        ("indicateur", "Ce quartier ne suit pas cet indicateur."),
        ("changement", "Ce changement visé n'appartient pas à une stratégie de ce quartier."),
    ],
)
def test_l_evaluation_qui_voit_b_recoit_la_regle_du_service(
    client, eve, quartier_a, ailleurs, champ, message
):
    assert _erreurs(client, eve, quartier_a, champ, str(ailleurs[champ].pk)) == [message]
