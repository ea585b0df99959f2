"""Un formulaire envoyé sur une saisie qui a changé depuis son ouverture (double clic, collègue,
évaluation) : la page dit ce qui s'est passé et ne promet rien d'impossible; rien n'est écrit."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, StatutSaisie
from tests.factories import AffectationFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


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


def test_un_double_clic_sur_enregistrer_dit_que_tout_est_deja_enregistre(
    client, alice, url, complet
):
    client.force_login(alice)
    envoi = {"version": "1", **complet, "action": "enregistrer"}
    assert client.post(url, envoi).status_code == 302
    evenements = EvenementSaisie.objects.count()
    second = client.post(url, envoi)
    assert second.status_code == 302 and second["Location"] == url
    assert _dernier_message(second) == "Ces valeurs sont déjà enregistrées : rien n'a changé."
    assert EvenementSaisie.objects.count() == evenements
    assert Saisie.objects.get().version == 2


def test_enregistrer_puis_soumettre_les_memes_valeurs_soumet_la_version_enregistree(
    client, alice, url, complet
):
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "enregistrer"}).status_code == 302
    second = client.post(url, {"version": "1", **complet, "action": "soumettre"})
    assert second.status_code == 302
    assert _dernier_message(second) == "La saisie est soumise pour validation."
    assert Saisie.objects.get().statut == StatutSaisie.SOUMISE


def test_le_meme_envoi_de_soumettre_une_seconde_fois_dit_que_c_est_fait(
    client, alice, url, complet
):
    """Page renvoyée par le navigateur, client qui réessaie : la saisie est déjà soumise avec
    ces valeurs; la page ne dit pas que rien n'a été enregistré."""
    client.force_login(alice)
    envoi = {"version": "1", **complet, "action": "soumettre"}
    assert client.post(url, envoi).status_code == 302
    second = client.post(url, envoi)
    assert second.status_code == 302 and second["Location"] == url
    assert _dernier_message(second) == (
        "Cette saisie est déjà soumise avec ces valeurs : rien n'a changé."
    )
    assert Saisie.objects.get().statut == StatutSaisie.SOUMISE


def test_apres_une_soumission_les_champs_laisses_vides_ne_sont_pas_des_differences(
    client, alice, quartier_a, indicateurs_a, url, complet
):
    """La saisie ne se modifie plus : seul ce que la personne avait tapé et qui diffère est
    montré, sous « Votre formulaire » / « Enregistré maintenant »."""
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "soumettre"}).status_code == 302
    menages, taux = indicateurs_a["menages"].pk, indicateurs_a["taux"].pk
    envoi = {"version": "1", **complet, f"v{menages}": "11", f"v{taux}": ""}
    reponse = client.post(url, envoi)
    assert reponse.status_code == 409
    lignes = reponse.context["conflit"]
    assert [ligne["indicateur"].code for ligne in lignes] == ["menages"]
    texte = _texte(reponse)
    assert "Votre formulaire" in texte and "Enregistré maintenant" in texte
    assert "l'autre personne" not in texte


def test_un_formulaire_perime_apres_une_soumission_ne_promet_pas_d_enregistrer(
    client, alice, quartier_a, indicateurs_a, url, complet
):
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet}).status_code == 302
    collegue = UtilisateurFactory(email="denise@exemple.org", first_name="Denise")
    AffectationFactory(utilisateur=collegue, quartier=quartier_a, role="coordonnateur")
    saisie = Saisie.objects.get()
    services.soumettre_saisie(saisie=saisie, auteur=collegue, version=saisie.version)
    menages = indicateurs_a["menages"].pk
    reponse = client.post(url, {"version": "2", **complet, f"v{menages}": "11"})
    assert reponse.status_code == 409
    texte = _texte(reponse)
    assert f"par {collegue}" in texte and "elle attend la validation" in texte
    assert "si vous enregistrez de nouveau" not in texte
    # La page montre ce qui est enregistré, en lecture seule, et la valeur envoyée à côté.
    assert "Enregistrer le brouillon" not in texte
    assert "Valeurs en conflit" in texte and "11" in texte
    champ = re.search(rf'<input [^>]*name="v{menages}"[^>]*>', reponse.content.decode())
    assert "disabled" in champ.group(0) and 'value="10"' in champ.group(0)
    valeur = saisie.valeurs.get(indicateur_id=menages)
    assert valeur.valeur_numerique == 10


def test_un_formulaire_perime_apres_une_validation_dit_qu_elle_est_verrouillee(
    client, alice, eve, indicateurs_a, url, complet
):
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "soumettre"}).status_code == 302
    saisie = Saisie.objects.get()
    services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    menages = indicateurs_a["menages"].pk
    reponse = client.post(url, {"version": "1", **complet, f"v{menages}": "12"})
    assert reponse.status_code == 409
    texte = _texte(reponse)
    assert "Cette saisie a été validée le " in texte and f"par {eve}" in texte
    assert "elle est verrouillée" in texte


def test_un_vrai_conflit_garde_vos_valeurs_et_la_comparaison(
    client, alice, quartier_a, indicateurs_a, url, complet
):
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet}).status_code == 302
    menages = indicateurs_a["menages"].pk
    reponse = client.post(url, {"version": "1", **complet, f"v{menages}": "99"})
    assert reponse.status_code == 409
    texte = _texte(reponse)
    assert "si vous enregistrez de nouveau, les vôtres remplaceront" in texte
    assert 'value="99"' in reponse.content.decode()
    assert 'name="version" value="2"' in reponse.content.decode()


@pytest.mark.parametrize("action", ["enregistrer", "soumettre"])
def test_un_lien_change_seul_n_est_pas_tenu_pour_deja_enregistre(
    client, alice, indicateurs_a, url, complet, action
):
    """Le lien vers la pièce compte dans « rien à écrire » : seul changé sur un formulaire
    périmé, il n'est ni perdu ni soumis sans lui; la page garde vos valeurs et le montre."""
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "enregistrer"}).status_code == 302
    menages = indicateurs_a["menages"].pk
    lien = "https://exemple.org/preuve"
    reponse = client.post(url, {"version": "1", **complet, f"p{menages}": lien, "action": action})
    assert reponse.status_code == 409
    assert "pièce : " + lien in _texte(reponse)
    assert f'value="{lien}"' in reponse.content.decode()
    saisie = Saisie.objects.get()
    assert saisie.statut == StatutSaisie.BROUILLON
    assert saisie.valeurs.get(indicateur_id=menages).preuve_url == ""


@pytest.mark.parametrize("action", ["enregistrer", "soumettre"])
def test_la_periode_fermee_pendant_la_saisie_n_ecrit_ni_ne_soumet_rien(
    client, alice, periode, indicateurs_a, url, complet, action
):
    """Formulaire ouvert pendant que la période l'était; elle se ferme avant l'envoi. Rien
    n'est écrit ni soumis (pas la version enregistrée à la place des valeurs tapées) : la page
    le dit, montre la saisie en lecture seule, la valeur envoyée à côté, et « Soumettre tel
    quel » pour la version enregistrée."""
    from indicateurs.models import StatutPeriode

    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "enregistrer"}).status_code == 302
    periode.statut = StatutPeriode.FERMEE
    periode.save()
    menages = indicateurs_a["menages"].pk
    reponse = client.post(url, {"version": "2", **complet, f"v{menages}": "11", "action": action})
    assert reponse.status_code == 400  # même version : refusée, comme à l'API
    texte = _texte(reponse)
    assert "La période s'est fermée pendant que vous remplissiez ce formulaire" in texte
    assert "Valeurs en conflit" in texte and "Soumettre tel quel" in texte
    champ = re.search(rf'<input [^>]*name="v{menages}"[^>]*>', reponse.content.decode())
    assert "disabled" in champ.group(0) and 'value="10"' in champ.group(0)
    saisie = Saisie.objects.get()
    assert (saisie.statut, saisie.version) == (StatutSaisie.BROUILLON, 2)
    assert saisie.valeurs.get(indicateur_id=menages).valeur_numerique == 10


def test_les_memes_valeurs_renvoyees_sur_une_saisie_validee_disent_que_c_est_fait(
    client, alice, eve, url, complet
):
    client.force_login(alice)
    assert client.post(url, {"version": "1", **complet, "action": "soumettre"}).status_code == 302
    saisie = Saisie.objects.get()
    services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    reponse = client.post(url, {"version": "1", **complet})
    assert reponse.status_code == 302
    assert _dernier_message(reponse) == (
        "Cette saisie est déjà validée avec ces valeurs : rien n'a changé."
    )
