"""La période se ferme pendant qu'une personne remplit le formulaire : rien n'est écrit, mais rien
de ce qu'elle avait tapé ne disparaît. Avant le premier enregistrement (pas encore de saisie), la
page disait « Le formulaire contient des erreurs… Cette période n'est pas ouverte à la saisie »
et cachait les apprentissages tapés; elle dit maintenant ce qui s'est passé, montre tout en
lecture seule et indique l'import des valeurs, la page d'ajout d'un apprentissage et
l'évaluation. Une saisie soumise ou fermée entre-temps garde aussi les apprentissages tapés."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from indicateurs import services
from indicateurs.models import Apprentissage, Saisie, StatutPeriode
from tests.factories import AffectationFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

DEFI = "Un long texte tapé pendant une heure."


def _texte(reponse) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", reponse.content.decode()).split()))


def _balise(reponse, nom: str) -> str:
    contenu = reponse.content.decode()
    trouve = re.search(rf'<(?:input|textarea) [^>]*name="{nom}"[^>]*>', contenu)
    assert trouve, nom
    return trouve.group(0)


@pytest.fixture
def url(periode):
    return reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})


@pytest.fixture
def envoi(indicateurs_a) -> dict:
    m, t, p = (indicateurs_a[k].pk for k in ("menages", "taux", "politique"))
    return {
        "version": "1",
        f"v{m}": "10",
        f"v{t}": "50",
        f"v{p}": "",
        f"nd{p}": "on",
        f"r{p}": "Conseil reporté",
        "app_defis": DEFI,
    }


def _fermer(periode) -> None:
    periode.statut = StatutPeriode.FERMEE
    periode.save(update_fields=["statut"])


@pytest.mark.parametrize("action", ["enregistrer", "soumettre"])
def test_fermee_avant_le_premier_enregistrement_tout_ce_qui_a_ete_tape_reste_visible(
    client, alice, quartier_a, periode, indicateurs_a, url, envoi, action
):
    client.force_login(alice)
    assert client.get(url).status_code == 200
    _fermer(periode)
    reponse = client.post(url, {**envoi, "action": action})
    assert reponse.status_code == 400
    texte = _texte(reponse)
    assert "La période s'est fermée pendant que vous remplissiez ce formulaire" in texte
    assert "rien de ce que vous venez d'envoyer n'a été enregistré" in texte
    assert "Le formulaire contient des erreurs" not in texte
    assert "pas ouverte à la saisie" not in texte
    contenu = reponse.content.decode()
    assert reverse("import_valeurs", kwargs={"slug": "quartier-a"}) in contenu
    assert reverse("apprentissage_nouveau", kwargs={"slug": "quartier-a"}) in contenu
    assert "équipe d'évaluation" in texte
    # Les valeurs tapées, l'absence et sa raison, l'apprentissage : en lecture seule.
    m, p = indicateurs_a["menages"].pk, indicateurs_a["politique"].pk
    menages = _balise(reponse, f"v{m}")
    assert 'value="10"' in menages and "disabled" in menages
    assert "checked" in _balise(reponse, f"nd{p}")
    assert 'value="Conseil reporté"' in _balise(reponse, f"r{p}")
    assert "disabled" in _balise(reponse, "app_defis") and DEFI in contenu
    assert "Enregistrer le brouillon" not in texte and "Enregistrer et soumettre" not in texte
    assert not Saisie.objects.exists() and not Apprentissage.objects.exists()


def test_une_periode_a_venir_refuse_comme_avant(client, alice, periode, url, envoi):
    """Aucun formulaire modifiable n'y mène : le refus du service, tel quel."""
    periode.statut = StatutPeriode.A_VENIR
    periode.save(update_fields=["statut"])
    client.force_login(alice)
    reponse = client.post(url, {**envoi, "action": "enregistrer"})
    assert reponse.status_code == 400
    assert "pas ouverte à la saisie" in reponse.content.decode()
    assert not Saisie.objects.exists()


def test_un_brouillon_ferme_entre_temps_garde_les_apprentissages_tapes(
    client, alice, periode, url, envoi
):
    client.force_login(alice)
    assert client.post(url, {"version": "1", "action": "enregistrer"}).status_code == 302
    _fermer(periode)
    reponse = client.post(url, {**envoi, "version": "2", "action": "enregistrer"})
    assert reponse.status_code == 400
    assert "La période s'est fermée pendant que vous remplissiez ce formulaire" in _texte(reponse)
    assert "disabled" in _balise(reponse, "app_defis") and DEFI in reponse.content.decode()
    assert "n'ont pas été enregistrés" in _texte(reponse)
    assert not Apprentissage.objects.exists()


def test_une_saisie_soumise_entre_temps_garde_les_apprentissages_tapes(
    client, alice, quartier_a, periode, url, envoi, indicateurs_a
):
    client.force_login(alice)
    complet = {**envoi, "app_defis": ""}
    assert client.post(url, {**complet, "action": "enregistrer"}).status_code == 302
    denise = UtilisateurFactory(email="denise@exemple.org", first_name="Denise")
    AffectationFactory(utilisateur=denise, quartier=quartier_a, role="coordonnateur")
    saisie = Saisie.objects.get()
    services.soumettre_saisie(saisie=saisie, auteur=denise, version=saisie.version)
    reponse = client.post(url, {**envoi, "version": "2", "action": "enregistrer"})
    assert reponse.status_code == 409
    assert "elle attend la validation" in _texte(reponse)
    assert DEFI in reponse.content.decode()
    assert not Apprentissage.objects.exists()
