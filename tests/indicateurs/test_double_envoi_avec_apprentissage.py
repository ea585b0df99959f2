"""Le même formulaire envoyé deux fois (double clic, page renvoyée) avec un apprentissage tapé :
le second envoi n'a rien à écrire — l'apprentissage est déjà dans la saisie — et la page le dit,
au lieu d'un 409 « rien n'a été enregistré » ou d'une page de conflit sans explication. Le
formulaire ne part qu'une fois dans le navigateur (js/envoi_unique.js, sans script en ligne)."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from indicateurs.models import Apprentissage, Saisie, StatutSaisie
from tests.factories import AffectationFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

DEFI = "Un défi important de ce trimestre."


def _texte(reponse) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", reponse.content.decode()).split()))


def _dernier_message(reponse) -> str:
    return [str(m) for m in reponse.wsgi_request._messages][-1]


@pytest.fixture
def url(periode):
    return reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})


@pytest.fixture
def complet(indicateurs_a) -> dict:
    m, t, p = (indicateurs_a[k].pk for k in ("menages", "taux", "politique"))
    return {f"v{m}": "10", f"v{t}": "50", f"v{p}": "texte"}


def test_un_double_clic_sur_soumettre_avec_un_apprentissage_dit_que_c_est_fait(
    client, alice, url, complet
):
    client.force_login(alice)
    envoi = {"version": "1", **complet, "app_defis": DEFI, "action": "soumettre"}
    assert client.post(url, envoi).status_code == 302
    second = client.post(url, envoi)
    assert second.status_code == 302 and second["Location"] == url
    assert _dernier_message(second) == (
        "Cette saisie est déjà soumise avec ces valeurs : rien n'a changé."
    )
    assert Saisie.objects.get().statut == StatutSaisie.SOUMISE
    assert Apprentissage.objects.count() == 1


def test_un_double_clic_sur_enregistrer_avec_un_apprentissage_dit_que_tout_est_enregistre(
    client, alice, url, complet
):
    client.force_login(alice)
    envoi = {"version": "1", **complet, "app_defis": DEFI, "action": "enregistrer"}
    assert client.post(url, envoi).status_code == 302
    second = client.post(url, envoi)
    assert second.status_code == 302 and second["Location"] == url
    assert _dernier_message(second) == "Ces valeurs sont déjà enregistrées : rien n'a changé."
    assert Saisie.objects.get().version == 2
    assert Apprentissage.objects.count() == 1


def test_enregistrer_puis_soumettre_le_meme_formulaire_avec_un_apprentissage_le_soumet(
    client, alice, url, complet
):
    client.force_login(alice)
    envoi = {"version": "1", **complet, "app_defis": DEFI}
    assert client.post(url, {**envoi, "action": "enregistrer"}).status_code == 302
    second = client.post(url, {**envoi, "action": "soumettre"})
    assert second.status_code == 302
    assert _dernier_message(second) == "La saisie est soumise pour validation."
    assert Saisie.objects.get().statut == StatutSaisie.SOUMISE
    assert Apprentissage.objects.count() == 1


def test_un_apprentissage_d_une_collegue_ne_compte_pas_pour_le_votre(
    client, alice, quartier_a, url, complet
):
    """Le même texte écrit par une autre personne reste à écrire : le conflit est expliqué et
    votre texte reste dans le formulaire."""
    denise = UtilisateurFactory(email="denise@exemple.org", first_name="Denise")
    AffectationFactory(utilisateur=denise, quartier=quartier_a, role="coordonnateur")
    client.force_login(denise)
    envoi = {"version": "1", **complet, "app_defis": DEFI, "action": "enregistrer"}
    assert client.post(url, envoi).status_code == 302
    client.force_login(alice)
    reponse = client.post(url, envoi)
    assert reponse.status_code == 409
    texte = _texte(reponse)
    assert "Quelqu'un d'autre a enregistré cette saisie pendant que vous la remplissiez" in texte
    assert "Ce que vous avez saisi est resté dans le formulaire" in texte
    assert DEFI in reponse.content.decode()
    assert Apprentissage.objects.count() == 1


def test_le_formulaire_ne_part_qu_une_fois_par_un_script_statique(client, alice, url):
    client.force_login(alice)
    reponse = client.get(url)
    contenu = reponse.content.decode()
    assert re.search(r'<form method="post"[^>]*class="saisie"[^>]*data-envoi-unique', contenu)
    assert '<script src="/static/js/envoi_unique.js"></script>' in contenu
    assert "script-src 'self'" in reponse["Content-Security-Policy"]
