"""Renvoyer les mêmes données ne change rien : aucune ligne d'historique « 4 → 4 », zéro
modification (service, formulaire, API, import). La donnée est nettoyée une fois
(`services.nettoyer`) avant d'être comparée, décrite et écrite. Une raison tapée sans
« non disponible » aurait été jetée en silence à l'écriture tout en comptant comme un
changement : elle est refusée avec un message à côté du champ, le même partout
(`verifier_donnee`)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import importation, services
from indicateurs.historique import lire
from indicateurs.models import EvenementSaisie, Saisie, TypeEvenement, Valeur
from indicateurs.validation import DonneeValeur, verifier_donnee
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db

RAISON_SANS_ABSENCE = (
    "Une raison n'accompagne qu'une valeur « non disponible » : indiquez-la non disponible, "
    "ou effacez la raison."
)


def historique() -> list[tuple[str, str]]:
    """Avant et après de chaque ligne, décrits en français (l'historique garde des données)."""
    return [
        (services.decrire(lire(ancienne)), services.decrire(lire(nouvelle)))
        for ancienne, nouvelle in EvenementSaisie.objects.filter(
            type_evenement=TypeEvenement.VALEUR
        )
        .order_by("pk")
        .values_list("ancienne", "nouvelle")
    ]


# --- Une raison sans « non disponible » : refusée, partout le même message -------------------


def test_verifier_donnee_refuse_une_raison_sans_absence():
    assert verifier_donnee("nombre", DonneeValeur(valeur=Decimal(4), raison="Sondage partiel")) == {
        "raison": [RAISON_SANS_ABSENCE]
    }
    assert verifier_donnee("texte", DonneeValeur(raison="Sondage partiel")) == {
        "raison": [RAISON_SANS_ABSENCE]
    }
    assert verifier_donnee("nombre", DonneeValeur(valeur=Decimal(4), raison="   ")) == {}


def test_le_service_refuse_une_raison_sans_absence(table_a, periode, alice, indicateurs_a):
    menages = indicateurs_a["menages"].pk
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_saisie(
            table=table_a,
            periode=periode,
            auteur=alice,
            version=1,
            donnees={menages: DonneeValeur(valeur=Decimal(4), raison="Sondage partiel")},
        )
    assert erreur.value.message_dict == {f"{menages}.raison": [RAISON_SANS_ABSENCE]}
    assert not Saisie.objects.exists()


def test_le_formulaire_refuse_une_raison_sans_absence_a_cote_du_champ(
    client, alice, periode, indicateurs_a
):
    url = reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})
    menages = indicateurs_a["menages"].pk
    client.force_login(alice)
    reponse = client.post(url, {"version": "1", f"v{menages}": "4", f"r{menages}": "Sondage"})
    assert reponse.status_code == 400
    assert reponse.context["form"].errors[f"r{menages}"] == [RAISON_SANS_ABSENCE]
    assert not Saisie.objects.exists()


def test_l_api_refuse_une_raison_sans_absence_sur_l_element(alice, periode, indicateurs_a):
    api = APIClient()
    api.force_authenticate(alice)
    reponse = api.post(
        "/api/v1/saisies/", {"quartier": "quartier-a", "periode": periode.code}, format="json"
    )
    pk, etag = reponse.json()["id"], reponse["ETag"]
    corps = {"valeurs": [{"indicateur": "menages", "valeur": "4", "raison": "Sondage partiel"}]}
    reponse = api.put(f"/api/v1/saisies/{pk}/valeurs/", corps, format="json", HTTP_IF_MATCH=etag)
    assert reponse.status_code == 400
    assert reponse.json() == {"valeurs": {"0": {"raison": [RAISON_SANS_ABSENCE]}}}
    assert not Valeur.objects.exists()


def test_l_import_refuse_une_raison_sans_absence_dans_sa_colonne(quartier_a, alice, indicateurs_a):
    periode_du_trimestre(2021, 1)
    lignes = [{"periode": "2021-T1", "indicateur": "menages", "valeur": "120", "raison": "Est."}]
    rapport = importation.importer(
        table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="a.csv"
    )
    assert [(p.ligne, p.colonne, p.message) for p in rapport.problemes] == [
        (2, "raison", RAISON_SANS_ABSENCE)
    ]
    assert not Valeur.objects.exists()


@pytest.mark.parametrize("valeur", ["", "120"])
def test_l_import_ne_juge_pas_la_raison_si_non_disponible_est_illisible(
    quartier_a, alice, indicateurs_a, valeur
):
    """Qu'une raison soit attendue ou de trop dépend de la cellule « non disponible » : illisible,
    elle seule est signalée (« peut-être » voulait peut-être dire oui)."""
    periode_du_trimestre(2021, 1)
    ligne = {"periode": "2021-T1", "indicateur": "menages", "valeur": valeur}
    lignes = [{**ligne, "non_disponible": "peut-être", "raison": "Enquête reportée."}]
    rapport = importation.importer(
        table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="a.csv"
    )
    assert [(p.ligne, p.colonne) for p in rapport.problemes] == [(2, "non_disponible")]
    assert "peut-être" in rapport.problemes[0].message
    assert not Valeur.objects.exists()


# --- Les mêmes données deux fois : rien ne change ---------------------------------------------


def test_la_meme_absence_renvoyee_ne_change_rien(table_a, periode, alice, indicateurs_a):
    politique = indicateurs_a["politique"].pk
    donnees = {politique: DonneeValeur(non_disponible=True, raison="  Enquête reportée  ")}
    modifications = []
    for version in (1, 2, 3):
        resultat = services.enregistrer_saisie(
            table=table_a, periode=periode, auteur=alice, version=version, donnees=donnees
        )
        modifications.append(resultat.modifications)
    assert modifications == [1, 0, 0]
    # L'historique décrit ce qui est écrit, comme le vérifie le contrôle d'intégrité.
    assert historique() == [("", "non disponible (Enquête reportée)")]
    assert Valeur.objects.get().raison_non_disponible == "Enquête reportée"


def test_le_meme_fichier_importe_deux_fois_ne_change_rien(quartier_a, alice, indicateurs_a):
    periode_du_trimestre(2021, 1)
    lignes = [
        {"periode": "2021-T1", "indicateur": "menages", "valeur": "120"},
        {
            "periode": "2021-T1",
            "indicateur": "politique",
            "non_disponible": "oui",
            "raison": " Estimation à venir ",
        },
    ]
    modifications = [
        importation.importer(
            table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="a.csv"
        ).modifications
        for _fois in range(2)
    ]
    assert modifications == [2, 0]
    assert len(historique()) == 2


def test_le_meme_formulaire_envoye_deux_fois_ne_change_rien(client, alice, periode, indicateurs_a):
    url = reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})
    menages, politique = indicateurs_a["menages"].pk, indicateurs_a["politique"].pk
    client.force_login(alice)
    for version in ("1", "2", "3"):
        champs = {f"v{menages}": "4", f"nd{politique}": "on", f"r{politique}": "Reportée"}
        reponse = client.post(url, {"version": version, **champs})
        assert reponse.status_code == 302
    assert historique() == [("", "4"), ("", "non disponible (Reportée)")]


def test_la_meme_ecriture_par_l_api_ne_change_rien(alice, periode, indicateurs_a):
    api = APIClient()
    api.force_authenticate(alice)
    reponse = api.post(
        "/api/v1/saisies/", {"quartier": "quartier-a", "periode": periode.code}, format="json"
    )
    pk, etag = reponse.json()["id"], reponse["ETag"]
    corps = {
        "valeurs": [
            {"indicateur": "menages", "valeur": "4"},
            {"indicateur": "politique", "non_disponible": True, "raison": "Sondage partiel"},
        ]
    }
    modifications = []
    for _fois in range(3):
        reponse = api.put(
            f"/api/v1/saisies/{pk}/valeurs/", corps, format="json", HTTP_IF_MATCH=etag
        )
        assert reponse.status_code == 200, reponse.content
        etag = reponse["ETag"]
        modifications.append(reponse.json()["modifications"])
    assert modifications == [2, 0, 0]
    assert len(historique()) == 2
