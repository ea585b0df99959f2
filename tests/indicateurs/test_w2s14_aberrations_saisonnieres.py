"""Les valeurs inhabituelles d'un flux (somme, cumul) se jugent selon la saison : par rapport au
même trimestre des années précédentes quand il y en a un (`signaler_aberration`, la série de
`Valeur.objects.series_precedentes`), sinon comme avant. Une moyenne ou une dernière valeur se
juge toujours sur toute la série. Même nombre de requêtes pour le formulaire et l'API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import Saisie, StatutPeriode, Valeur
from indicateurs.models.saisies import SeriePrecedente
from indicateurs.validation import DonneeValeur, signaler_aberration
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

# Les semis distribués d'une serre de quartier (Centre-Sud) : un pic au printemps, presque rien
# l'hiver. Le trimestre jugé est 2025-T4.
HISTORIQUE = {
    (2024, 1): 1380,
    (2024, 2): 5270,
    (2024, 3): 2150,
    (2024, 4): 700,
    (2025, 1): 1456,
    (2025, 2): 5552,
    (2025, 3): 2228,
}
T4_2025 = Decimal(725)


def _serie(agregation: str, historique: dict, trimestre: int) -> SeriePrecedente:
    """Ce que lit `series_precedentes` pour un trimestre `trimestre` qui suit `historique`."""
    serie = SeriePrecedente(agregation=agregation)
    for (annee, t), valeur in sorted(historique.items()):
        serie.append(Decimal(valeur))
        if t == trimestre:
            serie.meme_trimestre.append((annee, Decimal(valeur)))
    return serie


# --- La règle ---------------------------------------------------------------------------------


@pytest.mark.parametrize("agregation", ["somme", "cumul"])
def test_le_creux_saisonnier_d_un_flux_n_est_pas_inhabituel(agregation):
    serie = _serie(agregation, HISTORIQUE, 4)
    assert signaler_aberration(serie, T4_2025) is None
    # Sur toute la série (l'ancienne règle), ce creux était un saut de plus de 50 %.
    assert "valeur précédente" in signaler_aberration(list(serie), T4_2025)


@pytest.mark.parametrize("trimestre", [1, 2, 3, 4])
def test_aucun_trimestre_de_la_deuxieme_annee_n_est_signale(trimestre):
    """La revue : chaque trimestre de la serre était signalé. Un an d'historique suffit."""
    avant = {cle: v for cle, v in HISTORIQUE.items() if cle < (2025, trimestre)}
    valeur = Decimal(HISTORIQUE.get((2025, trimestre), T4_2025))
    serie = _serie("somme", avant, trimestre)
    assert signaler_aberration(serie, valeur) is None
    assert signaler_aberration(list(serie), valeur) is not None  # l'ancienne règle


@pytest.mark.parametrize("agregation", ["somme", "cumul"])
def test_dix_fois_le_meme_trimestre_de_l_an_dernier_reste_inhabituel(agregation):
    with translation.override("fr"):
        message = signaler_aberration(_serie(agregation, HISTORIQUE, 4), Decimal(7000))
    assert message == (
        "Valeur inhabituelle : écart de plus de 50 % avec le même trimestre de 2024 (700)."
    )


def test_une_hausse_par_rapport_au_meme_trimestre_est_signalee_meme_sans_saut_trimestriel():
    """2 228 au quatrième trimestre, comme au troisième : aucun saut, mais le triple de
    l'automne dernier."""
    assert signaler_aberration(_serie("somme", HISTORIQUE, 4), Decimal(2228)) is not None


def test_avec_quatre_annees_la_mediane_du_meme_trimestre_juge():
    historique = {
        (annee, 4): v for annee, v in zip(range(2020, 2024), (700, 720, 690, 710), strict=True)
    }
    historique |= {(2024, 1): 1400, (2024, 2): 5300, (2024, 3): 2200}
    serie = _serie("somme", historique, 4)
    with translation.override("fr"):
        assert signaler_aberration(serie, Decimal(7000)) == (
            "Valeur inhabituelle : loin de la médiane du même trimestre des années "
            "précédentes (705)."
        )
    assert signaler_aberration(serie, Decimal(730)) is None


def test_un_flux_sans_annee_precedente_garde_la_regle_de_toute_la_serie():
    premiere_annee = {cle: v for cle, v in HISTORIQUE.items() if cle[0] == 2024 and cle[1] < 4}
    serie = _serie("somme", premiere_annee, 4)
    assert serie.meme_trimestre == []
    assert signaler_aberration(serie, Decimal(700)) == signaler_aberration(
        list(serie), Decimal(700)
    )
    assert "valeur précédente" in signaler_aberration(serie, Decimal(700))


@pytest.mark.parametrize("agregation", ["derniere", "moyenne"])
@pytest.mark.parametrize("valeur", [725, 7000, 2228, 700])
def test_une_moyenne_ou_une_derniere_valeur_garde_la_regle_de_toute_la_serie(agregation, valeur):
    serie = _serie(agregation, HISTORIQUE, 4)
    assert serie.meme_trimestre  # le même trimestre est là, mais ne compte pas
    assert signaler_aberration(serie, Decimal(valeur)) == signaler_aberration(
        list(serie), Decimal(valeur)
    )


# --- La série lue, le formulaire, l'API -------------------------------------------------------


@pytest.fixture
def periode_t4(db):
    return periode_du_trimestre(2025, 4, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def semis(quartier_a):
    indicateur = IndicateurFactory(code="semis", unite="nombre", agregation="somme")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


@pytest.fixture
def taux(quartier_a):
    indicateur = IndicateurFactory(code="taux", unite="pourcentage", agregation="moyenne")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


def _historique(table, indicateur, valeurs: dict) -> None:
    for (annee, trimestre), valeur in valeurs.items():
        saisie, _ = Saisie.objects.get_or_create(
            table=table, periode=periode_du_trimestre(annee, trimestre), statut="validee"
        )
        Valeur.objects.create(saisie=saisie, indicateur=indicateur, valeur_numerique=valeur)


@pytest.mark.django_db
def test_la_serie_lue_porte_l_agregation_et_le_meme_trimestre(
    quartier_a, semis, taux, periode_t4, django_assert_num_queries
):
    _historique(quartier_a.table, semis, HISTORIQUE)
    _historique(quartier_a.table, taux, {(2023, 4): 40, (2024, 4): 42, (2025, 1): 41})
    with django_assert_num_queries(1):
        series = Valeur.objects.series_precedentes(
            quartier_a.table, periode_t4, [semis.pk, taux.pk]
        )
    assert series[semis.pk] == [Decimal(v) for _cle, v in sorted(HISTORIQUE.items())]
    assert series[semis.pk].agregation == "somme"
    assert series[semis.pk].meme_trimestre == [(2024, Decimal(700))]
    assert series[taux.pk].agregation == "moyenne"
    assert series[taux.pk].meme_trimestre == [(2023, Decimal(40)), (2024, Decimal(42))]


@pytest.mark.django_db
def test_le_service_d_enregistrement_et_la_soumission_suivent_la_saison(
    quartier_a, alice, semis, periode_t4
):
    _historique(quartier_a.table, semis, HISTORIQUE)
    saisie = services.saisie_pour(table=quartier_a.table, periode=periode_t4)
    habituelle = {semis.pk: DonneeValeur(valeur=T4_2025)}
    assert services.valeurs_inhabituelles(saisie, habituelle) == {}
    assert services.manques_des_donnees(quartier_a.table, periode_t4, habituelle) == {}
    inhabituelle = {semis.pk: DonneeValeur(valeur=Decimal(7250))}
    assert "2024" in services.valeurs_inhabituelles(saisie, inhabituelle)[semis.pk]
    manque = services.manques_des_donnees(quartier_a.table, periode_t4, inhabituelle)[semis.pk]
    assert "même trimestre de 2024" in manque and "commentaire" in manque


@pytest.mark.django_db
def test_le_formulaire_n_avertit_pas_du_creux_saisonnier(
    client, alice, quartier_a, semis, periode_t4
):
    _historique(quartier_a.table, semis, HISTORIQUE)
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode_t4.code})
    client.force_login(alice)
    reponse = client.post(url, {"version": "1", f"v{semis.pk}": "725", "action": "enregistrer"})
    assert reponse.status_code == 302
    assert "inhabituelle" not in client.get(url).content.decode()
    version = Saisie.objects.get(periode=periode_t4).version
    client.post(url, {"version": str(version), f"v{semis.pk}": "7250", "action": "enregistrer"})
    assert "même trimestre de 2024" in client.get(url).content.decode()


@pytest.mark.django_db
def test_l_api_n_avertit_pas_du_creux_saisonnier(alice, quartier_a, semis, periode_t4):
    _historique(quartier_a.table, semis, HISTORIQUE)
    api = APIClient()
    api.force_authenticate(alice)
    ouverte = api.post(
        "/api/v1/saisies/", {"quartier": quartier_a.slug, "periode": periode_t4.code}
    )
    adresse = f"/api/v1/saisies/{ouverte.json()['id']}/valeurs/"
    corps = {"valeurs": [{"indicateur": "semis", "valeur": "725"}]}
    reponse = api.put(adresse, corps, format="json", HTTP_IF_MATCH=ouverte["ETag"])
    assert reponse.status_code == 200
    assert reponse.json()["avertissements"] == {}
    corps = {"valeurs": [{"indicateur": "semis", "valeur": "7250"}]}
    reponse = api.put(adresse, corps, format="json", HTTP_IF_MATCH=reponse["ETag"])
    assert "même trimestre de 2024" in reponse.json()["avertissements"]["semis"]


@pytest.mark.django_db
def test_l_historique_saisonnier_ne_coute_aucune_requete_de_plus(
    client, alice, charlie, quartier_a, quartier_b, periode_t4
):
    """Le formulaire : enregistrer puis afficher coûte autant sans historique qu'avec deux ans
    de flux saisonniers (l'agrégation et le trimestre viennent de la même requête)."""
    compte = []
    for quartier, personne, historique in (
        (quartier_a, alice, {}),
        (quartier_b, charlie, HISTORIQUE),
    ):
        flux = [IndicateurFactory(agregation="somme", unite="nombre") for _ in range(3)]
        for indicateur in flux:
            IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
            _historique(quartier.table, indicateur, historique)
        url = reverse("saisie_formulaire", kwargs={"slug": quartier.slug, "code": periode_t4.code})
        client.force_login(personne)
        donnees = {"version": "1", "action": "enregistrer"} | {f"v{i.pk}": "725" for i in flux}
        with CaptureQueriesContext(connection) as requetes:
            assert client.post(url, donnees).status_code == 302
            assert client.get(url).status_code == 200
        compte.append(len(requetes))
    assert compte[0] == compte[1]
