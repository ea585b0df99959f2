"""La règle des indicateurs qu'une personne peut nommer (`Indicateur.objects.connus_de`) : le
catalogue approuvé et ce que suit un quartier qu'elle voit, quel que soit son statut. Un
indicateur proposé par un autre quartier est « inconnu », comme un code qui n'existe pas —
pour l'API, l'export des valeurs et l'import."""

from __future__ import annotations

import pytest

from indicateurs import importation
from indicateurs.models import Indicateur, StatutIndicateur
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    UtilisateurFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicateurs(quartier_a, quartier_b, alice, charlie) -> dict[str, Indicateur]:
    """Un indicateur approuvé que personne ne suit, une proposition et un retrait de chaque
    quartier."""
    tous = {
        "catalogue": IndicateurFactory(code="catalogue"),
        "propose-a": IndicateurFactory(
            code="propose-a", statut=StatutIndicateur.PROPOSE, propose_par=alice
        ),
        "retire-a": IndicateurFactory(code="retire-a", statut=StatutIndicateur.RETIRE),
        "propose-b": IndicateurFactory(
            code="propose-b", statut=StatutIndicateur.PROPOSE, propose_par=charlie
        ),
        "retire-b": IndicateurFactory(code="retire-b", statut=StatutIndicateur.RETIRE),
        "propose-orphelin": IndicateurFactory(
            code="propose-orphelin", statut=StatutIndicateur.PROPOSE
        ),
    }
    for code, quartier in [("propose-a", quartier_a), ("retire-a", quartier_a)]:
        IndicateurSuiviFactory(quartier=quartier, indicateur=tous[code])
    for code in ("propose-b", "retire-b"):
        IndicateurSuiviFactory(quartier=quartier_b, indicateur=tous[code])
    return tous


def _codes(utilisateur) -> set[str]:
    return set(Indicateur.objects.connus_de(utilisateur).values_list("code", flat=True))


def test_alice_connait_le_catalogue_et_ce_que_suit_son_quartier(indicateurs, alice):
    assert _codes(alice) == {"catalogue", "propose-a", "retire-a"}


def test_charlie_ne_connait_rien_de_ce_que_propose_le_quartier_a(indicateurs, charlie):
    assert _codes(charlie) == {"catalogue", "propose-b", "retire-b"}


def test_l_evaluation_connait_ce_que_suit_chaque_quartier(indicateurs, eve):
    # Une proposition que nul quartier ne suit n'est à personne : seul l'admin la verrait
    # dans l'administration de Django.
    assert _codes(eve) == set(indicateurs) - {"propose-orphelin"}


def test_sans_affectation_ni_compte_actif_seul_le_catalogue_est_connu(indicateurs, alice):
    assert _codes(UtilisateurFactory()) == {"catalogue"}
    alice.is_active = False
    assert _codes(alice) == {"catalogue"}


def test_une_requete_quel_que_soit_le_nombre_d_indicateurs(
    indicateurs, alice, quartier_a, django_assert_num_queries
):
    with django_assert_num_queries(1):  # les quartiers visibles et les suivis en sous-requêtes
        assert len(list(Indicateur.objects.connus_de(alice))) == 3
    for _ in range(10):
        IndicateurSuiviFactory(quartier=quartier_a)
    with django_assert_num_queries(1):
        assert len(list(Indicateur.objects.connus_de(alice))) == 13


# --- Import -------------------------------------------------------------------------------------


def test_l_import_dit_inconnu_d_un_code_propose_par_un_autre_quartier(indicateurs, quartier_a):
    """Même message pour le code d'une proposition de B que pour un code qui n'existe pas;
    un indicateur que la table connaît sans le saisir garde son message propre."""
    periode_du_trimestre(2024, 1)
    lignes = [
        {"periode": "2024-T1", "indicateur": code, "valeur": "1"}
        for code in ("Propose-B", "n-existe-pas", "catalogue", "retire-a")
    ]
    rapport = importation.verifier_import(table=quartier_a.table, lignes=lignes)
    messages = [p.message for p in rapport.problemes if p.colonne == "indicateur"]
    assert messages == [
        "Indicateur inconnu : « Propose-B ».",
        "Indicateur inconnu : « n-existe-pas ».",
        "L'indicateur « catalogue » n'est pas saisi par cette table.",
        "L'indicateur « retire-a » n'est pas saisi par cette table.",
    ]


def test_l_import_de_b_connait_sa_propre_proposition(indicateurs, quartier_b):
    periode_du_trimestre(2024, 1)
    lignes = [{"periode": "2024-T1", "indicateur": "propose-b", "valeur": "1"}]
    rapport = importation.verifier_import(table=quartier_b.table, lignes=lignes)
    messages = [p.message for p in rapport.problemes if p.colonne == "indicateur"]
    # Proposé, donc pas encore saisi (seuls les approuvés le sont), mais pas inconnu.
    assert messages == ["L'indicateur « propose-b » n'est pas saisi par cette table."]
