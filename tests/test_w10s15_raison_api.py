"""La raison d'une modification, à l'API et au service : `PUT /saisies/{id}/valeurs/` sans
`motif` sur une saisie renvoyée (ou rouverte) qui change une valeur répond 400 « motif » et
n'écrit rien; avec un motif, chaque ligne d'historique de l'envoi le porte. Même règle que le
formulaire, écrite une fois dans le service (`services.motif_exige`)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, StatutPeriode, StatutSaisie, TypeEvenement
from indicateurs.validation import DonneeValeur
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

RAISON = "Recompté avec la liste des présences."


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def indicateurs(quartier_a) -> dict:
    indicateurs = {
        "rejointes": IndicateurFactory(code="rejointes", unite="nombre"),
        "taux": IndicateurFactory(code="taux", unite="pourcentage", agregation="moyenne"),
    }
    for indicateur in indicateurs.values():
        IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateurs


def _donnees(indicateurs, rejointes: str, taux: str = "50") -> dict:
    return {
        indicateurs["rejointes"].pk: DonneeValeur(valeur=Decimal(rejointes)),
        indicateurs["taux"].pk: DonneeValeur(valeur=Decimal(taux)),
    }


@pytest.fixture
def renvoyee(quartier_a, periode, indicateurs, alice, eve) -> Saisie:
    resultat = services.enregistrer_saisie(
        table=quartier_a.table,
        periode=periode,
        auteur=alice,
        version=1,
        donnees=_donnees(indicateurs, "9000"),
    )
    saisie = services.soumettre_saisie(
        saisie=resultat.saisie, auteur=alice, version=resultat.saisie.version
    )
    return services.renvoyer_saisie(
        saisie=saisie, auteur=eve, version=saisie.version, motif="Vérifiez les personnes rejointes."
    )


def _api(personne, langue: str = "fr") -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE=langue)
    api.force_authenticate(personne)
    return api


def _put(api, saisie: Saisie, corps: dict):
    return api.put(
        f"/api/v1/saisies/{saisie.pk}/valeurs/",
        corps,
        format="json",
        HTTP_IF_MATCH=f'"{saisie.version}"',
    )


def _etat(saisie: Saisie) -> tuple:
    saisie.refresh_from_db()
    return (
        saisie.version,
        saisie.statut,
        EvenementSaisie.objects.filter(saisie=saisie).count(),
        saisie.valeurs.get(indicateur__code="rejointes").valeur_numerique,
    )


def _valeurs(rejointes: str = "8500") -> list[dict]:
    return [
        {"indicateur": "rejointes", "valeur": rejointes},
        {"indicateur": "taux", "valeur": "50"},
    ]


@pytest.mark.parametrize("corps", [{}, {"motif": ""}, {"motif": "\u200b\u200e "}])
def test_api_renvoyee_changer_une_valeur_sans_motif_400_rien_d_ecrit(alice, renvoyee, corps):
    avant = _etat(renvoyee)
    reponse = _put(_api(alice), renvoyee, {"valeurs": _valeurs(), **corps})
    assert reponse.status_code == 400, reponse.json()
    assert reponse.json() == {"motif": [str(services.MOTIF_DE_MODIFICATION_EXIGE)]}
    assert "indiquez la raison de la modification" in reponse.json()["motif"][0]
    assert _etat(renvoyee) == avant


def test_api_le_message_en_anglais(alice, renvoyee):
    reponse = _put(_api(alice, "en"), renvoyee, {"valeurs": _valeurs()})
    assert reponse.status_code == 400
    with translation.override("en"):
        assert reponse.json()["motif"] == [str(services.MOTIF_DE_MODIFICATION_EXIGE)]


def test_api_renvoyee_avec_motif_chaque_ligne_le_porte(alice, renvoyee):
    corps = {"valeurs": [*_valeurs()[:1], {"indicateur": "taux", "valeur": "55"}]}
    reponse = _put(_api(alice), renvoyee, {**corps, "motif": f" {RAISON} "})
    assert reponse.status_code == 200, reponse.json()
    assert reponse.json()["modifications"] == 2
    lignes = EvenementSaisie.objects.filter(
        saisie=renvoyee,
        type_evenement=TypeEvenement.VALEUR,
        version=reponse.json()["saisie"]["version"],
    )
    assert sorted(lignes.values_list("indicateur__code", "ancienne", "nouvelle", "motif")) == [
        ("rejointes", "9000", "8500", RAISON),
        ("taux", "50", "55", RAISON),
    ]


def test_api_renvoyee_sans_changer_de_valeur_ne_demande_pas_de_motif(alice, renvoyee):
    reponse = _put(_api(alice), renvoyee, {"valeurs": _valeurs("9000")})
    assert reponse.status_code == 200
    assert reponse.json()["modifications"] == 0


def test_api_premier_brouillon_sans_motif(alice, quartier_a, periode, indicateurs):
    saisie = services.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
    reponse = _put(_api(alice), saisie, {"valeurs": _valeurs()})
    assert reponse.status_code == 200
    assert reponse.json()["modifications"] == 2


def test_service_rouverte_exige_le_motif_et_rien_n_est_ecrit(alice, eve, renvoyee, indicateurs):
    saisie = services.soumettre_saisie(saisie=renvoyee, auteur=alice, version=renvoyee.version)
    saisie = services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    saisie = services.rouvrir_saisie(
        saisie=saisie, auteur=eve, version=saisie.version, motif="Erreur de source."
    )
    avant = _etat(saisie)
    with pytest.raises(ValidationError) as refus:
        services.enregistrer_saisie(
            saisie=saisie, auteur=alice, version=saisie.version, donnees=_donnees(indicateurs, "1")
        )
    assert refus.value.message_dict == {"motif": [str(services.MOTIF_DE_MODIFICATION_EXIGE)]}
    assert _etat(saisie) == avant
    assert saisie.statut == StatutSaisie.RENVOYEE
    # L'import passe toujours un motif (« Import du fichier … ») : il écrit.
    resultat = services.enregistrer_saisie(
        saisie=saisie,
        auteur=alice,
        version=saisie.version,
        donnees=_donnees(indicateurs, "1"),
        motif="Import du fichier valeurs.csv",
    )
    assert resultat.modifications == 1


def test_service_motif_trop_long_400(alice, renvoyee, indicateurs):
    with pytest.raises(ValidationError) as refus:
        services.enregistrer_saisie(
            saisie=renvoyee,
            auteur=alice,
            version=renvoyee.version,
            donnees=_donnees(indicateurs, "1"),
            motif="x" * (services.LONGUEUR_MOTIF_MAX + 1),
        )
    assert list(refus.value.message_dict) == ["motif"]


def test_la_regle_motif_exige():
    assert services.motif_exige(StatutSaisie.RENVOYEE)
    for statut in (None, StatutSaisie.BROUILLON, StatutSaisie.SOUMISE, StatutSaisie.VALIDEE):
        assert not services.motif_exige(statut)
