"""Le catalogue d'indicateurs se lit sur le site (/catalogue/, /catalogue/<code>/) : qui voit un
quartier le lit, dans sa langue, filtré par état, famille, thème et recherche; un indicateur
proposé par un autre quartier reste inconnu (404, absent de la liste); le nombre de requêtes ne
grandit pas avec le catalogue ni avec les suivis.

Avant : aucune page ne listait le catalogue; seule l'administration de Django, fermée à
l'évaluation (qui n'est pas du personnel), le montrait."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import Theme
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(quartier_a, quartier_b, alice):
    theme = Theme.objects.create(code="habitation", nom_fr="Habitation", nom_en="Housing")
    menages = IndicateurFactory(
        code="menages",
        nom_fr="Ménages joints",
        nom_en="Households reached",
        famille="personnes",
        theme=theme,
    )
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=menages)
    IndicateurSuiviFactory(quartier=quartier_b, indicateur=menages)
    propose = IndicateurFactory(
        code="propose-a", nom_fr="Proposé par A", statut="propose", propose_par=alice
    )
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=propose)
    retire = IndicateurFactory(code="ancien", statut="retire", motif_retrait="Remplacé.")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=retire)
    return {"menages": menages, "propose": propose, "retire": retire, "theme": theme}


def _codes(page) -> list[str]:
    return [indicateur.code for indicateur in page.context["indicateurs"]]


def test_la_coordination_lit_le_catalogue_de_ce_que_son_quartier_connait(
    client, alice, charlie, catalogue
):
    client.force_login(alice)
    page = client.get(reverse("catalogue"))
    assert page.status_code == 200
    assert _codes(page) == ["ancien", "menages", "propose-a"]
    client.force_login(charlie)
    page = client.get(reverse("catalogue"))
    # Ni la proposition de A ni l'indicateur retiré que seul A suit.
    assert _codes(page) == ["menages"]
    assert "Proposé par A" not in page.content.decode()


def test_une_proposition_d_un_autre_quartier_repond_404(client, bob, charlie, catalogue):
    adresse = reverse("catalogue_indicateur", kwargs={"code": "propose-a"})
    client.force_login(charlie)
    assert client.get(adresse).status_code == 404
    client.force_login(bob)
    assert client.get(adresse).status_code == 200


def test_la_page_ne_nomme_que_les_quartiers_visibles(client, charlie, eve, catalogue):
    adresse = reverse("catalogue_indicateur", kwargs={"code": "menages"})
    client.force_login(charlie)
    corps = client.get(adresse).content.decode()
    assert "Quartier B" in corps and "Quartier A" not in corps
    client.force_login(eve)
    corps = client.get(adresse).content.decode()
    assert "Quartier A" in corps and "Quartier B" in corps


def test_les_quartiers_comptes_sont_ceux_que_l_on_voit(client, charlie, eve, catalogue):
    client.force_login(charlie)
    lignes = {
        i.code: i.nb_quartiers for i in client.get(reverse("catalogue")).context["indicateurs"]
    }
    assert lignes == {"menages": 1}
    client.force_login(eve)
    lignes = {
        i.code: i.nb_quartiers for i in client.get(reverse("catalogue")).context["indicateurs"]
    }
    assert lignes == {"ancien": 1, "menages": 2, "propose-a": 1}


def test_filtres_par_etat_famille_theme_et_recherche(client, eve, catalogue):
    client.force_login(eve)
    adresse = reverse("catalogue")
    assert _codes(client.get(adresse, {"statut": "retire"})) == ["ancien"]
    assert _codes(client.get(adresse, {"famille": "personnes"})) == ["menages"]
    assert _codes(client.get(adresse, {"theme": catalogue["theme"].pk})) == ["menages"]
    assert _codes(client.get(adresse, {"q": "ménages"})) == ["menages"]
    assert _codes(client.get(adresse, {"q": "households"})) == ["menages"]
    assert _codes(client.get(adresse, {"q": "PROPOSE"})) == ["propose-a"]


def test_un_filtre_invalide_repond_400_sans_erreur_serveur(client, eve, catalogue):
    client.force_login(eve)
    page = client.get(reverse("catalogue"), {"statut": "inconnu", "theme": "abc"})
    assert page.status_code == 400
    corps = page.content.decode()
    assert "data-focus-au-chargement" in corps and "<title>Erreur :" in corps


def test_seul_l_approuve_mene_au_tableau_de_bord_entre_quartiers(client, eve, catalogue):
    client.force_login(eve)
    corps = client.get(reverse("catalogue")).content.decode()
    assert reverse("indicateur_entre_quartiers", args=["menages"]) in corps
    assert reverse("indicateur_entre_quartiers", args=["ancien"]) not in corps
    assert reverse("indicateur_entre_quartiers", args=["propose-a"]) not in corps


def test_le_menu_mene_au_catalogue(client, bob, catalogue):
    client.force_login(bob)
    corps = client.get(reverse("accueil")).content.decode()
    assert f'href="{reverse("catalogue")}"' in corps


def test_qui_ne_voit_aucun_quartier_ne_lit_pas_le_catalogue(client, catalogue):
    client.force_login(UtilisateurFactory())
    assert client.get(reverse("catalogue")).status_code == 403
    assert client.get(reverse("catalogue_indicateur", args=["menages"])).status_code == 403


def test_le_catalogue_se_lit_en_anglais(client, eve, catalogue):
    client.force_login(eve)
    client.cookies["django_language"] = "en"
    corps = client.get(reverse("catalogue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Households reached" in corps and "Ménages joints" not in corps
    assert "Housing" in corps
    page = client.get(reverse("catalogue_indicateur", args=["menages"]), HTTP_ACCEPT_LANGUAGE="en")
    corps = page.content.decode()
    assert '<html lang="en">' in corps
    assert '<h1><span class="code">menages</span> Households reached</h1>' in corps


def _plus(quartiers, nombre: int, debut: int = 0) -> None:
    for rang in range(debut, debut + nombre):
        indicateur = IndicateurFactory(code=f"plus-{rang}", statut="approuve")
        for quartier in quartiers:
            IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)


@pytest.mark.parametrize("persona", ["alice", "eve"])
def test_la_liste_coute_autant_de_requetes_avec_dix_fois_plus(
    client, personas, quartier_a, quartier_b, catalogue, django_assert_num_queries, persona
):
    client.force_login(personas[persona])
    adresse = reverse("catalogue")
    _plus([quartier_a, quartier_b], 2)
    # Session, personne; Alice : voit-elle un quartier (son affectation); les indicateurs (thème,
    # quartiers visibles qui les suivent, en une requête); les thèmes du filtre.
    attendues = 5 if persona == "alice" else 4
    with django_assert_num_queries(attendues):
        assert client.get(adresse).status_code == 200
    autres = [QuartierFactory() for _ in range(5)]
    _plus([quartier_a, quartier_b, *autres], 20, debut=2)
    with django_assert_num_queries(attendues):
        page = client.get(adresse)
    assert len(page.context["indicateurs"]) == 3 + 22


@pytest.mark.parametrize("persona", ["alice", "eve"])
def test_la_page_d_un_indicateur_coute_autant_de_requetes_avec_plus_de_suivis(
    client, personas, catalogue, django_assert_num_queries, persona
):
    client.force_login(personas[persona])
    adresse = reverse("catalogue_indicateur", args=["menages"])
    # Session, personne; Alice : voit-elle un quartier; l'indicateur (thème, proposé, examiné,
    # retiré par); ses suivis (quartier, visible ou non).
    attendues = 5 if persona == "alice" else 4
    with django_assert_num_queries(attendues):
        assert client.get(adresse).status_code == 200
    for _ in range(10):
        IndicateurSuiviFactory(quartier=QuartierFactory(), indicateur=catalogue["menages"])
    with django_assert_num_queries(attendues):
        assert client.get(adresse).status_code == 200
