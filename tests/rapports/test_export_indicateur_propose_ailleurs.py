"""L'export des valeurs ne révèle pas un indicateur proposé par un autre quartier : la page ne
le propose pas, et son code donné dans l'adresse reçoit la même réponse qu'un code qui n'existe
pas (`Indicateur.objects.connus_de`, la règle de l'API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import StatutIndicateur
from tests.factories import IndicateurFactory, IndicateurSuiviFactory

pytestmark = pytest.mark.django_db

SECRET = "Projet confidentiel de B"
PAGE = reverse("export_valeurs")
CSV = reverse("export_valeurs_csv")


@pytest.fixture
def propose_par_b(charlie, quartier_b):
    indicateur = IndicateurFactory(
        code="secret-b",
        nom_fr=SECRET,
        nom_en=SECRET,
        statut=StatutIndicateur.PROPOSE,
        propose_par=charlie,
    )
    IndicateurSuiviFactory(quartier=quartier_b, indicateur=indicateur)
    return indicateur


@pytest.fixture
def propose_par_a(alice, quartier_a):
    indicateur = IndicateurFactory(
        code="projet-a", statut=StatutIndicateur.PROPOSE, propose_par=alice
    )
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


def _options(client, utilisateur) -> str:
    client.force_login(utilisateur)
    reponse = client.get(PAGE)
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_la_page_ne_propose_pas_a_alice_l_indicateur_propose_par_b(
    client, alice, propose_par_b, propose_par_a
):
    IndicateurFactory(code="du-catalogue")
    contenu = _options(client, alice)
    assert "secret-b" not in contenu
    assert SECRET not in contenu
    assert 'value="projet-a"' in contenu  # sa propre proposition, suivie par A
    assert 'value="du-catalogue"' in contenu


def test_la_page_propose_a_charlie_et_a_l_evaluation_l_indicateur_propose_par_b(
    client, charlie, eve, propose_par_b
):
    assert 'value="secret-b"' in _options(client, charlie)
    assert 'value="secret-b"' in _options(client, eve)


def test_le_code_propose_par_b_repond_a_alice_comme_un_code_inexistant(
    client, alice, propose_par_b
):
    client.force_login(alice)
    reponses = {
        code: client.get(CSV, {"indicateur": code}) for code in ("secret-b", "n-existe-pas")
    }
    assert [r.status_code for r in reponses.values()] == [400, 400]
    erreurs = {
        code: [m.replace(code, "«code»") for m in r.context["form"].errors["indicateur"]]
        for code, r in reponses.items()
    }
    assert erreurs["secret-b"] == erreurs["n-existe-pas"]
    assert all(SECRET not in r.content.decode() for r in reponses.values())


def test_charlie_exporte_avec_le_filtre_de_sa_proposition(client, charlie, propose_par_b):
    client.force_login(charlie)
    reponse = client.get(CSV, {"indicateur": "secret-b"})
    assert reponse.status_code == 200
    assert reponse.streaming


def test_la_page_lit_ses_indicateurs_en_une_requete(
    client, alice, quartier_a, propose_par_b, django_assert_num_queries
):
    client.force_login(alice)
    # session, utilisateur, puis chaque liste une fois (Select.use_required_attribute en lit
    # la première option avant le rendu, sans la relire) : quartiers visibles, périodes (une
    # lecture pour « De » et « À »), indicateurs connus (quartiers visibles et suivis en
    # sous-requêtes)
    with django_assert_num_queries(2 + 3):
        assert client.get(PAGE).status_code == 200
    for _ in range(10):
        IndicateurSuiviFactory(quartier=quartier_a, indicateur__statut=StatutIndicateur.PROPOSE)
        IndicateurFactory()
    with django_assert_num_queries(2 + 3):
        contenu = client.get(PAGE).content.decode()
    liste = contenu.split('<select name="indicateur"')[1].split("</select>")[0]
    assert liste.count("<option") == 1 + 20  # « tous », puis les indicateurs connus d'Alice
