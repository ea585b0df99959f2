"""La raison d'une modification, au formulaire trimestriel. Une saisie renvoyée (ou rouverte) :
ses valeurs ont été vues par l'évaluation; en changer une sans dire pourquoi laissait une ligne
d'historique sans motif (« 9 000 → 8 500 », colonne « Motif » vide). Le formulaire n'avait pas
de champ pour le dire. Maintenant : un champ « Raison de la modification », facultatif pour un
premier brouillon, exigé (400, rien d'enregistré, valeurs gardées) quand l'envoi change une
valeur d'une saisie déjà soumise; la raison s'inscrit à côté de chaque valeur changée
(`services.motif_exige`, la règle du service, partagée avec l'API et l'import)."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, StatutPeriode, StatutSaisie, TypeEvenement
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

MOTIF_RENVOI = "Vérifiez les personnes rejointes."
RAISON = "Recompté avec la liste des présences : 8 500."
EXIGEE = "indiquez la raison de la modification"


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


@pytest.fixture
def url(periode):
    return reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})


@pytest.fixture
def champs(indicateurs) -> dict:
    return {code: f"v{indicateur.pk}" for code, indicateur in indicateurs.items()}


def _texte(reponse) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", reponse.content.decode()).split()))


def _renvoyee(client, alice, eve, url, champs) -> Saisie:
    """Alice soumet 9 000 et 50 %; Ève renvoie : « Vérifiez les personnes rejointes »."""
    client.force_login(alice)
    envoi = {"version": "1", champs["rejointes"]: "9000", champs["taux"]: "50"}
    assert client.post(url, {**envoi, "action": "soumettre"}).status_code == 302
    saisie = Saisie.objects.get()
    return services.renvoyer_saisie(
        saisie=saisie, auteur=eve, version=saisie.version, motif=MOTIF_RENVOI
    )


def _lignes_de_valeur(saisie):
    return EvenementSaisie.objects.filter(saisie=saisie, type_evenement=TypeEvenement.VALEUR)


def test_premier_brouillon_sans_raison_s_enregistre(client, alice, url, champs):
    client.force_login(alice)
    envoi = {"version": "1", champs["rejointes"]: "9000", champs["taux"]: "50"}
    assert client.post(url, {**envoi, "action": "enregistrer"}).status_code == 302
    # Le brouillon se corrige encore sans raison : il n'a jamais été soumis.
    envoi = {"version": "2", champs["rejointes"]: "8500", champs["taux"]: "50"}
    assert client.post(url, {**envoi, "action": "soumettre"}).status_code == 302
    saisie = Saisie.objects.get()
    assert saisie.statut == StatutSaisie.SOUMISE
    assert set(_lignes_de_valeur(saisie).values_list("motif", flat=True)) == {""}


def test_la_page_d_un_brouillon_offre_la_raison_facultative(client, alice, url, indicateurs):
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert '<label for="id_motif">Raison de la modification</label>' in page
    assert re.search(r'<textarea[^>]*aria-describedby="id_motif_helptext"', page)
    assert 'id="id_motif_helptext"' in page
    assert "Facultative pour un brouillon jamais soumis" in html.unescape(page)


@pytest.mark.parametrize("action", ["enregistrer", "soumettre"])
def test_renvoyee_changer_une_valeur_sans_raison_400_rien_d_enregistre(
    client, alice, eve, url, champs, action
):
    saisie = _renvoyee(client, alice, eve, url, champs)
    avant = (saisie.version, _lignes_de_valeur(saisie).count())
    envoi = {
        "version": str(saisie.version),
        champs["rejointes"]: "8500",
        champs["taux"]: "50",
        "motif": "",
        "action": action,
    }
    reponse = client.post(url, envoi)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    # Le message à côté du champ, et dans la liste des erreurs en tête (lien vers le champ).
    assert 'id="id_motif_error"' in page
    assert EXIGEE in _texte(reponse)
    assert '<a href="#id_motif">Raison de la modification</a>' in page
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*id="id_motif"', page) or re.search(
        r'<textarea[^>]*id="id_motif"[^>]*aria-invalid="true"', page
    )
    assert "data-focus-au-chargement" in page
    assert 'value="8500"' in page  # la valeur tapée est gardée
    saisie.refresh_from_db()
    assert (saisie.version, _lignes_de_valeur(saisie).count()) == avant
    assert saisie.statut == StatutSaisie.RENVOYEE
    assert saisie.valeurs.get(indicateur__code="rejointes").valeur_numerique == 9000


def test_le_message_paraît_avec_les_autres_erreurs_de_l_envoi(client, alice, eve, url, champs):
    saisie = _renvoyee(client, alice, eve, url, champs)
    envoi = {
        "version": str(saisie.version),
        champs["rejointes"]: "8500",
        champs["taux"]: "150",  # hors bornes
        "action": "enregistrer",
    }
    reponse = client.post(url, envoi)
    assert reponse.status_code == 400
    texte = _texte(reponse)
    assert EXIGEE in texte and "entre 0 et 100" in texte


def test_renvoyee_avec_raison_l_historique_la_porte_sur_chaque_valeur_changee(
    client, alice, eve, url, champs, periode
):
    saisie = _renvoyee(client, alice, eve, url, champs)
    page = client.get(url)
    assert "Obligatoire si vous changez une valeur" in _texte(page)
    envoi = {
        "version": str(saisie.version),
        champs["rejointes"]: "8500",
        champs["taux"]: "55",
        "motif": f"  {RAISON}  ",
        "action": "soumettre",
    }
    assert client.post(url, envoi).status_code == 302
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.SOUMISE
    derniers = _lignes_de_valeur(saisie).filter(version__gt=3)
    assert sorted(derniers.values_list("indicateur__code", "motif")) == [
        ("rejointes", RAISON),
        ("taux", RAISON),
    ]
    assert saisie.valeurs.get(indicateur__code="rejointes").valeur_numerique == Decimal(8500)
    historique = client.get(
        reverse("saisie_historique", kwargs={"slug": "quartier-a", "code": periode.code})
    )
    lignes = re.findall(r"<tr>.*?</tr>", historique.content.decode(), re.DOTALL)
    ligne = next(lg for lg in lignes if "8 500" in html.unescape(lg).replace("\u202f", " "))
    assert RAISON in html.unescape(ligne)


def test_renvoyee_renvoyee_sans_changer_de_valeur_ne_demande_pas_de_raison(
    client, alice, eve, url, champs
):
    saisie = _renvoyee(client, alice, eve, url, champs)
    envoi = {
        "version": str(saisie.version),
        champs["rejointes"]: "9000",
        champs["taux"]: "50",
        "action": "soumettre",
    }
    assert client.post(url, envoi).status_code == 302
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.SOUMISE


def test_rouverte_exige_aussi_la_raison(client, alice, eve, url, champs):
    saisie = _renvoyee(client, alice, eve, url, champs)
    envoi = {"version": str(saisie.version), champs["rejointes"]: "9000", champs["taux"]: "50"}
    assert client.post(url, {**envoi, "action": "soumettre"}).status_code == 302
    saisie.refresh_from_db()
    saisie = services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    saisie = services.rouvrir_saisie(
        saisie=saisie, auteur=eve, version=saisie.version, motif="Erreur de source."
    )
    envoi = {"version": str(saisie.version), champs["rejointes"]: "8500", champs["taux"]: "50"}
    assert client.post(url, {**envoi, "action": "enregistrer"}).status_code == 400
    saisie.refresh_from_db()
    assert saisie.valeurs.get(indicateur__code="rejointes").valeur_numerique == 9000


@pytest.mark.parametrize("invisible", ["\u200b", "\u200e\u202e ", " \t\n"])
def test_une_raison_faite_de_caracteres_invisibles_est_vide(
    client, alice, eve, url, champs, invisible
):
    saisie = _renvoyee(client, alice, eve, url, champs)
    envoi = {
        "version": str(saisie.version),
        champs["rejointes"]: "8500",
        champs["taux"]: "50",
        "motif": invisible,
        "action": "enregistrer",
    }
    reponse = client.post(url, envoi)
    assert reponse.status_code == 400
    assert EXIGEE in _texte(reponse)
    saisie.refresh_from_db()
    assert saisie.valeurs.get(indicateur__code="rejointes").valeur_numerique == 9000


def test_le_message_en_anglais(client, alice, eve, url, champs):
    saisie = _renvoyee(client, alice, eve, url, champs)
    client.cookies["django_language"] = "en"
    envoi = {
        "version": str(saisie.version),
        champs["rejointes"]: "8500",
        champs["taux"]: "50",
        "action": "enregistrer",
    }
    reponse = client.post(url, envoi)
    assert reponse.status_code == 400
    with translation.override("en"):
        # Le catalogue anglais donne « … state the reason for the change … » (msgid au rapport).
        attendus = [
            str(services.MOTIF_DE_MODIFICATION_EXIGE),
            translation.gettext("Raison de la modification"),
        ]
    texte = _texte(reponse)
    assert 'lang="en"' in reponse.content.decode()
    assert all(attendu in texte for attendu in attendus)
