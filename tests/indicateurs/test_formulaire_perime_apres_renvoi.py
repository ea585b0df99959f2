"""Un onglet ouvert avant un renvoi (ou une réouverture) ne soumet rien sans que la personne ait
lu le motif : même avec les valeurs enregistrées, « Enregistrer et soumettre » répond 409 avec
le motif, qui l'a donné et quand; la soumission suivante, faite en connaissance de cause, passe."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from indicateurs import services
from indicateurs.models import Saisie, StatutSaisie, TypeEvenement

pytestmark = pytest.mark.django_db

MOTIF = "Le taux semble faux : vérifiez la source."


def _texte(reponse) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", reponse.content.decode()).split()))


def _version_du_formulaire(reponse) -> str:
    return re.search(r'name="version" value="(\d+)"', reponse.content.decode()).group(1)


@pytest.fixture
def url(periode):
    return reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})


@pytest.fixture
def complet(indicateurs_a) -> dict:
    m, t, p = (indicateurs_a[k].pk for k in ("menages", "taux", "politique"))
    return {f"v{m}": "10", f"v{t}": "50", f"v{p}": "texte"}


def _soumissions(saisie) -> int:
    return saisie.evenements.filter(type_evenement=TypeEvenement.SOUMISSION).count()


@pytest.mark.parametrize("action", ["soumettre", "enregistrer"])
def test_un_onglet_ouvert_avant_le_renvoi_ne_resoumet_pas_et_montre_le_motif(
    client, alice, eve, url, complet, action
):
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "soumettre"}).status_code == 302
    saisie = Saisie.objects.get()
    services.renvoyer_saisie(saisie=saisie, auteur=eve, version=saisie.version, motif=MOTIF)
    # Un onglet ouvert quand la saisie était à sa version 1, mêmes valeurs.
    reponse = client.post(url, {"version": "1", **complet, "action": action})
    assert reponse.status_code == 409
    texte = _texte(reponse)
    assert "a été renvoyée à la table le " in texte and f"par {eve}" in texte
    assert f"avec ce motif : « {MOTIF} »" in texte
    assert "n'a été enregistré ni soumis" in texte
    assert "Quelqu'un d'autre a enregistré" not in texte
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.RENVOYEE and _soumissions(saisie) == 1
    # La page porte la version actuelle : soumettre de nouveau, après lecture, passe.
    assert _version_du_formulaire(reponse) == str(saisie.version)
    suivante = client.post(
        url, {"version": _version_du_formulaire(reponse), **complet, "action": "soumettre"}
    )
    assert suivante.status_code == 302
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.SOUMISE and _soumissions(saisie) == 2


def test_un_onglet_ouvert_avant_la_reouverture_dit_qu_elle_a_ete_rouverte(
    client, alice, eve, url, complet
):
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "soumettre"}).status_code == 302
    saisie = Saisie.objects.get()
    saisie = services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    services.rouvrir_saisie(saisie=saisie, auteur=eve, version=saisie.version, motif=MOTIF)
    reponse = client.post(url, {"version": "2", **complet, "action": "soumettre"})
    assert reponse.status_code == 409
    texte = _texte(reponse)
    assert "a été rouverte le " in texte and f"« {MOTIF} »" in texte
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.RENVOYEE


def test_un_double_clic_apres_le_renvoi_lu_soumet_encore_la_version_enregistree(
    client, alice, eve, url, complet
):
    """Le formulaire ouvert après le renvoi (sa version est celle du renvoi) : le raccourci du
    double clic reste permis, la personne a vu le motif."""
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "soumettre"}).status_code == 302
    saisie = Saisie.objects.get()
    services.renvoyer_saisie(saisie=saisie, auteur=eve, version=saisie.version, motif=MOTIF)
    ouvert = _version_du_formulaire(client.get(url))
    assert (
        client.post(url, {"version": ouvert, **complet, "action": "enregistrer"}).status_code == 302
    )
    reponse = client.post(url, {"version": ouvert, **complet, "action": "soumettre"})
    assert reponse.status_code == 302
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.SOUMISE
