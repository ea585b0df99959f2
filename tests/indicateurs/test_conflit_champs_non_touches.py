"""Deux personnes remplissent la même saisie : celle qui enregistre la seconde reçoit un 409, et
son formulaire revient avec les changements de l'autre dans les champs qu'elle n'avait pas
touchés (le formulaire porte, caché, les empreintes des valeurs de sa version). Enregistrer de
nouveau, comme la page l'invite à le faire, garde les changements des deux : seuls les champs
changés des deux côtés sont en conflit, et là seulement la personne remplace sciemment."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import services
from indicateurs.models import Saisie, Valeur
from indicateurs.validation import DonneeValeur
from tests.factories import AffectationFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


def _texte(reponse) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", reponse.content.decode()).split()))


def _champs(reponse) -> dict:
    """Ce que le navigateur renverrait du formulaire de saisie tel que la page le montre."""
    contenu = reponse.content.decode()
    debut = contenu.index('class="saisie"')
    formulaire = contenu[debut : contenu.index("</form>", debut)]
    champs = {}
    for balise in re.findall(r"<input [^>]*>", formulaire):
        nom = re.search(r'name="([^"]+)"', balise)
        if not nom or nom.group(1) == "csrfmiddlewaretoken":
            continue
        if 'type="checkbox"' in balise:
            if " checked" in balise:
                champs[nom.group(1)] = "on"
            continue
        valeur = re.search(r'value="([^"]*)"', balise)
        champs[nom.group(1)] = html.unescape(valeur.group(1)) if valeur else ""
    for nom, valeur in re.findall(
        r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', formulaire, re.S
    ):
        champs[nom] = html.unescape(valeur).removeprefix("\n")
    return champs


def _valeurs() -> dict:
    return {
        v.indicateur.code: (v.valeur_numerique, v.valeur_texte, v.non_disponible, v.commentaire)
        for v in Valeur.objects.select_related("indicateur")
    }


@pytest.fixture
def url(periode):
    return reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})


@pytest.fixture
def denise(quartier_a):
    personne = UtilisateurFactory(email="denise@exemple.org", first_name="Denise")
    AffectationFactory(utilisateur=personne, quartier=quartier_a, role="coordonnateur")
    return personne


@pytest.fixture
def pk(indicateurs_a) -> dict:
    return {code: indicateur.pk for code, indicateur in indicateurs_a.items()}


def _ouvrir(client, personne, url) -> dict:
    client.force_login(personne)
    return _champs(client.get(url))


def test_le_second_enregistrement_n_efface_pas_les_valeurs_de_l_autre(
    client, alice, denise, url, pk
):
    """Le cas du relecteur : Alice et Denise ouvrent le formulaire vide; Alice enregistre les
    ménages, Denise le taux seulement. Avant : 409 « ménages : — / 10 », puis enregistrer de
    nouveau effaçait les ménages d'Alice."""
    formulaire_alice = _ouvrir(client, alice, url)
    formulaire_denise = _ouvrir(client, denise, url)
    assert "empreintes" in formulaire_denise
    client.force_login(alice)
    envoi = {**formulaire_alice, f"v{pk['menages']}": "10", "action": "enregistrer"}
    assert client.post(url, envoi).status_code == 302

    client.force_login(denise)
    envoi = {**formulaire_denise, f"v{pk['taux']}": "50", "action": "enregistrer"}
    reponse = client.post(url, envoi)
    assert reponse.status_code == 409
    assert reponse.context["conflit"] == []  # aucun champ changé des deux côtés
    assert [ligne["indicateur"].code for ligne in reponse.context["reprises"]] == ["menages"]
    texte = _texte(reponse)
    assert "Quelqu'un d'autre a enregistré cette saisie" in texte
    assert "ses valeurs sont reprises dans le formulaire" in texte
    assert "Valeurs en conflit" not in texte
    champs = _champs(reponse)
    assert champs[f"v{pk['menages']}"] == "10" and champs[f"v{pk['taux']}"] == "50"
    assert champs["version"] == "2"
    assert _valeurs()["menages"][0] == 10 and "taux" not in _valeurs()

    # Enregistrer de nouveau, comme la page l'invite à le faire : les deux restent.
    assert client.post(url, {**champs, "action": "enregistrer"}).status_code == 302
    valeurs = _valeurs()
    assert valeurs["menages"][0] == 10 and valeurs["taux"][0] == 50


def test_seul_un_champ_change_des_deux_cotes_est_en_conflit(client, alice, denise, url, pk):
    formulaire_alice = _ouvrir(client, alice, url)
    formulaire_denise = _ouvrir(client, denise, url)
    client.force_login(alice)
    envoi = {
        **formulaire_alice,
        f"v{pk['menages']}": "10",
        f"v{pk['politique']}": "Adoptée",
        "action": "enregistrer",
    }
    assert client.post(url, envoi).status_code == 302
    client.force_login(denise)
    envoi = {
        **formulaire_denise,
        f"v{pk['menages']}": "12",
        f"v{pk['taux']}": "50",
        "action": "enregistrer",
    }
    reponse = client.post(url, envoi)
    assert reponse.status_code == 409
    conflit = reponse.context["conflit"]
    assert [(c["indicateur"].code, c["la_votre"], c["l_autre"]) for c in conflit] == [
        ("menages", "12", "10")
    ]
    assert [ligne["indicateur"].code for ligne in reponse.context["reprises"]] == ["politique"]
    assert "si vous enregistrez de nouveau, les vôtres remplaceront" in _texte(reponse)
    champs = _champs(reponse)
    assert champs[f"v{pk['menages']}"] == "12"  # le sien reste : elle tranche
    assert champs[f"v{pk['politique']}"] == "Adoptée"
    assert client.post(url, {**champs, "action": "enregistrer"}).status_code == 302
    valeurs = _valeurs()
    assert (valeurs["menages"][0], valeurs["taux"][0], valeurs["politique"][1]) == (
        12,
        50,
        "Adoptée",
    )


def test_un_commentaire_ajoute_n_efface_pas_la_valeur_tapee_par_l_autre(
    client, alice, denise, url, pk
):
    """Les parties d'une donnée se fusionnent une à une : la valeur, le commentaire, la pièce."""
    formulaire_alice = _ouvrir(client, alice, url)
    formulaire_denise = _ouvrir(client, denise, url)
    client.force_login(alice)
    envoi = {**formulaire_alice, f"v{pk['menages']}": "10", "action": "enregistrer"}
    assert client.post(url, envoi).status_code == 302
    client.force_login(denise)
    commentaire = f"c{pk['menages']}"
    envoi = {**formulaire_denise, commentaire: "Chiffre du CLSC.", "action": "enregistrer"}
    reponse = client.post(url, envoi)
    assert reponse.status_code == 409 and reponse.context["conflit"] == []
    champs = _champs(reponse)
    assert champs[f"v{pk['menages']}"] == "10" and champs[commentaire] == "Chiffre du CLSC."
    assert client.post(url, {**champs, "action": "enregistrer"}).status_code == 302
    assert _valeurs()["menages"][::3] == (Decimal(10), "Chiffre du CLSC.")


def test_les_changements_faits_sur_une_saisie_deja_remplie_sont_repris(
    client, alice, denise, table_a, periode, url, pk
):
    """Avec des valeurs enregistrées à l'ouverture (au format de la page, « 1 234 »), une
    absence cochée par l'autre et un taux changé reviennent tels quels dans le formulaire."""
    services.enregistrer_saisie(
        table=table_a,
        periode=periode,
        auteur=alice,
        version=1,
        donnees={
            pk["menages"]: DonneeValeur(valeur=Decimal("1234")),
            pk["taux"]: DonneeValeur(valeur=Decimal(40), commentaire="Ligne 1\nLigne 2"),
            pk["politique"]: DonneeValeur(texte="En cours"),
        },
    )
    formulaire_alice = _ouvrir(client, alice, url)
    formulaire_denise = _ouvrir(client, denise, url)
    assert formulaire_denise[f"v{pk['menages']}"] == "1\xa0234"
    client.force_login(alice)
    envoi = {
        **formulaire_alice,
        f"v{pk['taux']}": "60",
        f"v{pk['politique']}": "",
        f"nd{pk['politique']}": "on",
        f"r{pk['politique']}": "Conseil reporté",
        "action": "enregistrer",
    }
    assert client.post(url, envoi).status_code == 302
    client.force_login(denise)
    # Le navigateur renvoie le commentaire avec des fins de ligne CR LF : pas un changement.
    envoi = {
        **formulaire_denise,
        f"v{pk['menages']}": "1 300",
        f"c{pk['taux']}": "Ligne 1\r\nLigne 2",
        "action": "enregistrer",
    }
    reponse = client.post(url, envoi)
    assert reponse.status_code == 409 and reponse.context["conflit"] == []
    champs = _champs(reponse)
    assert champs[f"v{pk['menages']}"] == "1 300"
    assert champs[f"v{pk['taux']}"] == "60"
    assert champs[f"nd{pk['politique']}"] == "on"
    assert champs[f"r{pk['politique']}"] == "Conseil reporté"
    assert champs[f"v{pk['politique']}"] == ""
    assert client.post(url, {**champs, "action": "enregistrer"}).status_code == 302
    valeurs = _valeurs()
    assert valeurs["menages"][0] == 1300 and valeurs["taux"][0] == 60
    assert valeurs["politique"][2] is True
    assert Saisie.objects.get().version == 4


def test_sans_empreintes_tout_ce_qui_differe_reste_en_conflit(client, alice, denise, url, pk):
    """Un envoi sans empreintes (page ouverte avant elles, client qui ne les envoie pas) :
    le comportement d'avant, rien n'est repris."""
    client.force_login(alice)
    envoi = {"version": "1", f"v{pk['menages']}": "10", "action": "enregistrer"}
    assert client.post(url, envoi).status_code == 302
    client.force_login(denise)
    envoi = {"version": "1", f"v{pk['taux']}": "50", "action": "enregistrer"}
    reponse = client.post(url, envoi)
    assert reponse.status_code == 409
    assert {c["indicateur"].code for c in reponse.context["conflit"]} == {"menages", "taux"}
    assert reponse.context["reprises"] == []
    assert "empreintes" in _champs(reponse)  # la page suivante porte celles de la version 2


def test_les_empreintes_ne_coutent_aucune_requete(client, alice, table_a, periode, url, pk):
    """Une valeur enregistrée ou trois, avec commentaire et pièce : même nombre de requêtes
    (les empreintes se calculent sur les valeurs déjà lues par la page)."""
    client.force_login(alice)
    premiere = services.enregistrer_saisie(
        table=table_a,
        periode=periode,
        auteur=alice,
        version=1,
        donnees={pk["menages"]: DonneeValeur(valeur=Decimal(5))},
    )
    with CaptureQueriesContext(connection) as une:
        client.get(url)
    services.enregistrer_saisie(
        saisie=premiere.saisie,
        auteur=alice,
        version=premiere.saisie.version,
        donnees={
            pk["menages"]: DonneeValeur(valeur=Decimal(5), commentaire="Vu"),
            pk["taux"]: DonneeValeur(valeur=Decimal(5), preuve_url="https://exemple.org/a"),
            pk["politique"]: DonneeValeur(texte="Adoptée"),
        },
    )
    with CaptureQueriesContext(connection) as trois:
        reponse = client.get(url)
    assert len(trois) == len(une)
    empreintes = services.lire_empreintes(_champs(reponse)["empreintes"])
    assert set(empreintes) == {
        f"{pk['menages']}.valeur",
        f"{pk['menages']}.commentaire",
        f"{pk['taux']}.valeur",
        f"{pk['taux']}.preuve_url",
        f"{pk['politique']}.valeur",
    }


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_une_valeur_reprise_se_relit_telle_quelle_dans_les_deux_langues(
    client, alice, denise, url, pk, langue
):
    """En anglais, la valeur reprise s'écrivait « 12,500 » (format d'affichage), que la lecture
    des nombres refuse comme ambigu : enregistrer de nouveau, comme la page y invite, répondait
    400 sur un champ que la personne n'avait pas touché."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    formulaire_alice = _ouvrir(client, alice, url)
    formulaire_denise = _ouvrir(client, denise, url)
    client.force_login(alice)
    alice_enregistre = {**formulaire_alice, f"v{pk['menages']}": "12500", "action": "enregistrer"}
    assert client.post(url, alice_enregistre).status_code == 302
    client.force_login(denise)
    conflit = client.post(
        url, {**formulaire_denise, f"v{pk['taux']}": "50", "action": "enregistrer"}
    )
    assert conflit.status_code == 409
    deuxieme = client.post(url, {**_champs(conflit), "action": "enregistrer"})
    assert deuxieme.status_code == 302
    enregistrees = dict(Valeur.objects.values_list("indicateur__code", "valeur_numerique"))
    assert enregistrees["menages"] == 12500
    assert enregistrees["taux"] == 50
