"""Ce qu'on lit d'un bilan en échec : une raison connue dans la langue de qui la lit, quelle que
soit la langue active quand la tâche l'a écrite; une erreur imprévue se lit « erreur inattendue »
(pages et API), son texte technique restant dans la ligne (administration) et au journal. Une
seule règle, `Bilan.motif_echec` / `Bilan.raison_echec`, pour les deux pages et l'API."""

from __future__ import annotations

import datetime
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.test import APIClient

from rapports import repartition, services
from rapports.models import Bilan, Portee, StatutBilan

pytestmark = pytest.mark.django_db

INTERROMPUE = {
    "fr": "La production a été interrompue trop de fois (worker arrêté ?).",
    "en": "Generation was interrupted too many times (worker stopped?).",
}
EPUISEES = {
    "fr": "La production a échoué trop de fois.",
    "en": "Generation failed too many times.",
}
INATTENDUE = {
    "fr": (
        "La production a échoué : erreur inattendue. Demandez-en une nouvelle; si l'échec se "
        "répète, prévenez l'administration."
    ),
    # Attend la traduction du nouveau texte au catalogue.
    "en": "Generation failed: unexpected error. Request a new one; if it fails again, tell the "
    "administrators.",
}
AUTRE = {"fr": "en", "en": "fr"}
IL_Y_A_UNE_HEURE = datetime.timedelta(hours=1)


@pytest.fixture
def bilan(quartier_a) -> Bilan:
    return Bilan.objects.create(portee=Portee.QUARTIER, quartier=quartier_a, annee=2025)


def _interrompre(bilan: Bilan, langue_de_la_tache: str) -> None:
    """Un bilan « en cours » abandonné trop souvent, rattrapé par une tâche qui tourne dans
    `langue_de_la_tache`."""
    Bilan.objects.filter(pk=bilan.pk).update(
        statut=StatutBilan.EN_COURS,
        tentatives=settings.EVALPIC_BILAN_TENTATIVES_MAX,
        debut_generation=timezone.now() - IL_Y_A_UNE_HEURE,
    )
    with (
        translation.override(langue_de_la_tache),
        mock.patch("rapports.tasks.generer_bilan_task.delay"),
    ):
        services.recuperer_bilans_bloques()
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ECHEC


def _echouer_sur_une_exception(bilan: Bilan) -> None:
    with mock.patch(
        "rapports.services.construire_instantane",
        side_effect=RuntimeError("panne de /srv/evalpic/secret.py ligne 12"),
    ):
        services.generer_bilan(bilan_id=bilan.pk)
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ECHEC


def _pages(client, bilan: Bilan, langue: str) -> list[str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    return [
        client.get(reverse(nom, **args)).content.decode()
        for nom, args in (("bilans", {}), ("bilan_detail", {"args": [bilan.pk]}))
    ]


def _api(personne, bilan: Bilan, langue: str) -> dict:
    client = APIClient()
    client.force_login(personne)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    reponse = client.get(f"/api/v1/bilans/{bilan.pk}/")
    assert reponse.status_code == 200
    return reponse.json()


# --- Raisons connues : traduites à la lecture ---------------------------------------------------


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_un_bilan_interrompu_se_lit_dans_la_langue_de_la_page_pas_celle_de_la_tache(
    client, alice, bilan, langue
):
    _interrompre(bilan, langue_de_la_tache=AUTRE[langue])
    # La ligne garde le texte non traduit, pour l'administration et les journaux.
    assert bilan.erreur == INTERROMPUE["fr"]
    client.force_login(alice)
    for contenu in _pages(client, bilan, langue):
        assert INTERROMPUE[langue] in contenu
        assert INTERROMPUE[AUTRE[langue]] not in contenu


def test_un_bilan_aux_tentatives_epuisees_se_lit_dans_la_langue_de_la_page(client, alice, bilan):
    il_y_a_longtemps = timezone.now() - IL_Y_A_UNE_HEURE
    Bilan.objects.filter(pk=bilan.pk).update(
        tentatives=settings.EVALPIC_BILAN_TENTATIVES_MAX,
        created_at=il_y_a_longtemps,
        mis_en_file_le=il_y_a_longtemps,
    )
    with translation.override("fr"), mock.patch("rapports.tasks.generer_bilan_task.delay"):
        services.recuperer_bilans_bloques()
    bilan.refresh_from_db()
    assert (bilan.statut, bilan.erreur) == (StatutBilan.ECHEC, EPUISEES["fr"])
    client.force_login(alice)
    for contenu in _pages(client, bilan, "en"):
        assert EPUISEES["en"] in contenu and EPUISEES["fr"] not in contenu


def test_l_abandon_d_un_bilan_est_note_au_journal(bilan, caplog):
    with caplog.at_level(logging.WARNING, logger="rapports.services"):
        _interrompre(bilan, langue_de_la_tache="fr")
    assert any(INTERROMPUE["fr"] in r.getMessage() for r in caplog.records)


# --- Erreurs imprévues : message générique, texte technique gardé -------------------------------


def test_une_exception_se_lit_erreur_inattendue_et_reste_dans_la_ligne_et_le_journal(
    client, alice, bilan, caplog
):
    with caplog.at_level(logging.ERROR, logger="rapports.services"):
        _echouer_sur_une_exception(bilan)
    # Pour l'administration : le texte technique dans la ligne, la trace au journal.
    assert bilan.erreur == "RuntimeError: panne de /srv/evalpic/secret.py ligne 12"
    assert any(r.exc_info and "panne" in str(r.exc_info[1]) for r in caplog.records)
    client.force_login(alice)
    for contenu in _pages(client, bilan, "fr"):
        assert escape(INATTENDUE["fr"]) in contenu
        assert "RuntimeError" not in contenu and "secret.py" not in contenu


def test_une_tranche_ratee_se_lit_erreur_inattendue(alice, bilan):
    Bilan.objects.filter(pk=bilan.pk).update(statut=StatutBilan.EN_COURS, tentatives=1)
    with repartition._echec_marque(bilan, tentative=1):
        raise ValueError("chord: tranche 2 sans PDF")
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ECHEC and "ValueError" in bilan.erreur
    donnees = _api(alice, bilan, "fr")
    assert (donnees["erreur"], donnees["code_erreur"]) == (INATTENDUE["fr"], "erreur_inattendue")


def test_l_erreur_inattendue_se_lit_en_anglais(client, alice, bilan):
    """Attend la traduction anglaise du message générique au catalogue."""
    _echouer_sur_une_exception(bilan)
    client.force_login(alice)
    for contenu in _pages(client, bilan, "en"):
        assert escape(INATTENDUE["en"]) in contenu and "RuntimeError" not in contenu


def test_l_administration_voit_le_texte_technique(client, ada, bilan):
    _echouer_sur_une_exception(bilan)
    client.force_login(ada)
    reponse = client.get(reverse("admin:rapports_bilan_change", args=[bilan.pk]))
    assert reponse.status_code == 200
    assert "RuntimeError: panne de /srv/evalpic/secret.py ligne 12" in reponse.content.decode()


# --- API : le même message, et un code stable -----------------------------------------------------


def test_l_api_donne_le_message_de_l_echec_et_son_code(alice, bilan):
    _echouer_sur_une_exception(bilan)
    donnees = _api(alice, bilan, "fr")
    assert donnees["erreur"] == INATTENDUE["fr"]
    assert donnees["code_erreur"] == "erreur_inattendue"
    assert "RuntimeError" not in str(donnees)


def test_l_api_traduit_une_raison_connue_dans_la_langue_de_la_reponse(alice, bilan):
    _interrompre(bilan, langue_de_la_tache="fr")
    donnees = _api(alice, bilan, "en")
    assert donnees["erreur"] == INTERROMPUE["en"]
    assert donnees["code_erreur"] == "production_interrompue"


def test_un_bilan_qui_n_a_pas_echoue_n_a_ni_erreur_ni_code(alice, bilan):
    donnees = _api(alice, bilan, "fr")
    assert (donnees["erreur"], donnees["code_erreur"]) == ("", None)
