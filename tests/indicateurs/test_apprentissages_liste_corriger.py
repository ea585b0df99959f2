"""Corriger et retirer un apprentissage depuis la liste du quartier.

Règle (indicateurs/services_apprentissages.py) : il faut le droit de commenter le quartier;
avec lui, chacun touche aux siens, et la coordination de la table, l'évaluation et
l'administration touchent aussi à ceux des autres. Le conseil ne touche qu'aux siens.
Corriger reprend le formulaire et la validation de l'ajout (400 à côté des champs, rien
d'écrit); retirer demande confirmation; un bilan déjà produit ne change pas."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from indicateurs import services_apprentissages
from indicateurs.models import Apprentissage, IndicateurSuivi, Saisie, StatutPeriode
from rapports.instantane import construire_instantane, somme_de_controle
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import ChangementViseFactory, StrategieFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

TEXTE_ALICE = "Les jeunes reviennnent quand un pair les invite."  # la faute à corriger
TEXTE_BOB = "Le conseil note que les partenaires se parlent davantage."


@pytest.fixture
def monde(quartier_a, quartier_b, alice, bob, charlie, indicateurs_a) -> dict:
    t4 = periode_du_trimestre(2024, 4)
    t3 = periode_du_trimestre(2024, 3)
    ouverte = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    changement = ChangementViseFactory(strategie=StrategieFactory(quartier=quartier_a))
    creer = Apprentissage.objects.create
    return {
        "t3": t3,
        "t4": t4,
        "ouverte": ouverte,
        "a_venir": periode_du_trimestre(2025, 2, statut=StatutPeriode.A_VENIR),
        "indicateur": indicateurs_a["menages"],
        "changement": changement,
        "alice": creer(
            quartier=quartier_a,
            periode=t4,
            categorie="defis",
            texte_fr=TEXTE_ALICE,
            indicateur=indicateurs_a["menages"],
            changement=changement,
            auteur=alice,
        ),
        "bob": creer(
            quartier=quartier_a, periode=t4, categorie="au_dela", texte_fr=TEXTE_BOB, auteur=bob
        ),
        "b": creer(
            quartier=quartier_b,
            periode=t4,
            categorie="defis",
            texte_fr="Apprentissage de B.",
            auteur=charlie,
        ),
    }


def _url(nom: str, apprentissage: Apprentissage, slug: str | None = None) -> str:
    slug = slug or apprentissage.quartier.slug
    return reverse(nom, kwargs={"slug": slug, "pk": apprentissage.pk})


def _donnees(apprentissage: Apprentissage, **remplacements) -> dict:
    return {
        "periode": apprentissage.periode.code,
        "categorie": apprentissage.categorie,
        "indicateur": str(apprentissage.indicateur_id or ""),
        "changement": str(apprentissage.changement_id or ""),
        "texte_fr": apprentissage.texte_fr,
        "texte_en": apprentissage.texte_en,
        **remplacements,
    }


def _choisi(page: str, champ: str) -> str | None:
    """La valeur choisie dans la liste `champ` de la page."""
    liste = page.split(f'<select name="{champ}"', 1)[1].split("</select>", 1)[0]
    trouve = re.search(r'<option value="([^"]*)" selected>', liste)
    return trouve.group(1) if trouve else None


def _intact(apprentissage: Apprentissage) -> bool:
    avant = {f.attname: getattr(apprentissage, f.attname) for f in Apprentissage._meta.fields}
    apprentissage.refresh_from_db()
    return avant == {
        f.attname: getattr(apprentissage, f.attname) for f in Apprentissage._meta.fields
    }


# --- Corriger ---------------------------------------------------------------------------------


def test_le_formulaire_est_prerempli(client, alice, monde):
    client.force_login(alice)
    reponse = client.get(_url("apprentissage_modifier", monde["alice"]))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert TEXTE_ALICE in page
    assert _choisi(page, "indicateur") == str(monde["indicateur"].pk)
    assert _choisi(page, "changement") == str(monde["changement"].pk)
    assert _choisi(page, "periode") == "2024-T4"
    assert _choisi(page, "categorie") == "defis"


def test_alice_corrige_l_apprentissage_de_bob_dans_son_quartier(client, alice, bob, monde):
    """La coordination répond des apprentissages de sa table, même écrits par le conseil."""
    client.force_login(alice)
    appris = monde["bob"]
    reponse = client.post(
        _url("apprentissage_modifier", appris),
        _donnees(appris, texte_fr="Corrigé.", texte_en="Fixed.", periode="2024-T3"),
    )
    assert reponse.status_code == 302
    liste = reverse("apprentissages", kwargs={"slug": appris.quartier.slug})
    assert reponse.url == f"{liste}#apprentissage-{appris.pk}"
    appris.refresh_from_db()
    assert (appris.texte_fr, appris.texte_en, appris.periode) == ("Corrigé.", "Fixed.", monde["t3"])
    assert appris.auteur == bob  # l'auteur·e reste celle ou celui qui l'a écrit
    page = client.get(reponse.url).content.decode()
    assert "L&#x27;apprentissage est corrigé." in page and "Corrigé." in page


def test_bob_corrige_le_sien_mais_pas_celui_d_alice(client, bob, monde):
    client.force_login(bob)
    reponse = client.post(
        _url("apprentissage_modifier", monde["bob"]), _donnees(monde["bob"], texte_fr="Mieux.")
    )
    assert reponse.status_code == 302
    assert Apprentissage.objects.get(pk=monde["bob"].pk).texte_fr == "Mieux."
    appris = monde["alice"]
    assert client.get(_url("apprentissage_modifier", appris)).status_code == 403
    reponse = client.post(_url("apprentissage_modifier", appris), _donnees(appris, texte_fr="X"))
    assert reponse.status_code == 403
    assert client.get(_url("apprentissage_supprimer", appris)).status_code == 403
    assert client.post(_url("apprentissage_supprimer", appris)).status_code == 403
    assert _intact(appris)


@pytest.mark.parametrize("persona", ["eve", "ada"])
def test_l_evaluation_et_l_administration_corrigent_tout(client, personas, monde, persona):
    client.force_login(personas[persona])
    appris = monde["alice"]
    reponse = client.post(_url("apprentissage_modifier", appris), _donnees(appris, texte_fr="Ok."))
    assert reponse.status_code == 302
    assert Apprentissage.objects.get(pk=appris.pk).texte_fr == "Ok."


def test_alice_recoit_404_sur_l_apprentissage_de_b(client, alice, monde):
    """Par l'adresse de B (quartier invisible) comme par celle de A (pas un objet de A)."""
    client.force_login(alice)
    appris = monde["b"]
    for slug in ("quartier-b", "quartier-a"):
        for nom in ("apprentissage_modifier", "apprentissage_supprimer"):
            url = _url(nom, appris, slug=slug)
            assert client.get(url).status_code == 404, url
            assert client.post(url, _donnees(appris, texte_fr="Piraté.")).status_code == 404
    assert _intact(appris)


def test_charlie_recoit_404_sur_l_apprentissage_de_a(client, charlie, monde):
    client.force_login(charlie)
    appris = monde["alice"]
    for nom in ("apprentissage_modifier", "apprentissage_supprimer"):
        assert client.get(_url(nom, appris)).status_code == 404
        assert client.post(_url(nom, appris), _donnees(appris, texte_fr="X")).status_code == 404
    assert _intact(appris)


def test_l_anonyme_est_renvoye_a_la_connexion(client, monde):
    appris = monde["alice"]
    for nom in ("apprentissage_modifier", "apprentissage_supprimer"):
        for reponse in (client.get(_url(nom, appris)), client.post(_url(nom, appris), {})):
            assert reponse.status_code == 302
            assert reponse.url.startswith(reverse("account_login"))
    assert _intact(appris)


@pytest.mark.parametrize(
    "remplacements, champ, message",
    [
        (
            {"texte_fr": "  ", "texte_en": ""},
            "texte_fr",
            "Écrivez l&#x27;apprentissage en français, en anglais ou dans les deux langues.",
        ),
        ({"texte_fr": "x" * 2001}, "texte_fr", "2000"),
        ({"periode": "2025-T2"}, "periode", "Sélectionnez un choix valide."),
        ({"categorie": "inconnue"}, "categorie", "Sélectionnez un choix valide."),
    ],
)
def test_une_correction_invalide_repond_400_a_cote_du_champ_et_n_ecrit_rien(
    client, alice, monde, remplacements, champ, message
):
    client.force_login(alice)
    appris = monde["alice"]
    donnees = _donnees(appris, **{"categorie": "au_dela", **remplacements})
    reponse = client.post(_url("apprentissage_modifier", appris), donnees)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    erreurs = page.split(f'<ul class="erreurs" id="id_{champ}_error">', 1)[1].split("</ul>")[0]
    assert message in erreurs
    assert _intact(appris)


def test_un_indicateur_que_le_quartier_ne_suit_pas_est_refuse_comme_a_l_ajout(
    client, alice, quartier_a, monde, indicateurs_a
):
    """Même règle que l'ajout (le service) : un indicateur connu mais plus suivi ne se choisit
    pas; l'erreur est à côté du champ."""
    IndicateurSuivi.objects.filter(quartier=quartier_a, indicateur=indicateurs_a["taux"]).update(
        actif=False
    )
    client.force_login(alice)
    appris = monde["bob"]
    donnees = _donnees(appris, indicateur=str(indicateurs_a["taux"].pk), texte_fr="Corrigé.")
    reponse = client.post(_url("apprentissage_modifier", appris), donnees)
    assert reponse.status_code == 400
    assert "Ce quartier ne suit pas cet indicateur." in reponse.content.decode()
    assert _intact(appris)


def test_un_rattachement_inchange_reste_accepte_meme_si_l_indicateur_n_est_plus_suivi(
    client, alice, quartier_a, monde
):
    """Corriger une faute ne force pas à retirer un indicateur que le quartier a cessé de
    suivre; la liste l'offre encore pour ne pas l'effacer sans le dire."""
    IndicateurSuivi.objects.filter(quartier=quartier_a, indicateur=monde["indicateur"]).update(
        actif=False
    )
    client.force_login(alice)
    appris = monde["alice"]
    page = client.get(_url("apprentissage_modifier", appris)).content.decode()
    assert _choisi(page, "indicateur") == str(monde["indicateur"].pk)
    corrige = "Les jeunes reviennent quand un pair les invite."
    reponse = client.post(
        _url("apprentissage_modifier", appris), _donnees(appris, texte_fr=corrige)
    )
    assert reponse.status_code == 302
    appris.refresh_from_db()
    assert (appris.texte_fr, appris.indicateur) == (corrige, monde["indicateur"])


def test_un_apprentissage_d_une_saisie_garde_sa_periode(client, alice, quartier_a, monde):
    saisie = Saisie.objects.create(table=quartier_a.table, periode=monde["ouverte"])
    appris = Apprentissage.objects.create(
        quartier=quartier_a,
        periode=monde["ouverte"],
        categorie="defis",
        texte_fr="Écrit dans la saisie.",
        saisie=saisie,
        auteur=alice,
    )
    client.force_login(alice)
    url = _url("apprentissage_modifier", appris)
    reponse = client.post(url, _donnees(appris, periode="2024-T4", texte_fr="Autre."))
    assert reponse.status_code == 400
    assert "écrit dans la saisie de T1 2025 : il garde cette période." in reponse.content.decode()
    assert _intact(appris)
    assert client.post(url, _donnees(appris, texte_fr="Corrigé.")).status_code == 302
    appris.refresh_from_db()
    assert (appris.texte_fr, appris.saisie) == ("Corrigé.", saisie)


@pytest.mark.parametrize("statut", ["soumise", "validee"])
@pytest.mark.parametrize("persona", ["alice", "eve"])
def test_un_apprentissage_d_une_saisie_transmise_suit_son_verrou(
    client, request, quartier_a, monde, statut, persona
):
    """Comme ses valeurs : soumise ou validée, la saisie est verrouillée, et l'apprentissage
    écrit dedans aussi; avant, il se réécrivait ou disparaissait sans réouverture ni trace. La
    liste n'offre plus ni « Corriger » ni « Retirer »; renvoyée, la saisie le rend corrigeable."""
    saisie = Saisie.objects.create(table=quartier_a.table, periode=monde["ouverte"], statut=statut)
    appris = Apprentissage.objects.create(
        quartier=quartier_a,
        periode=monde["ouverte"],
        categorie="defis",
        texte_fr="Validé tel quel.",
        saisie=saisie,
        auteur=request.getfixturevalue("alice"),
    )
    client.force_login(request.getfixturevalue(persona))
    for nom, corps in (
        ("apprentissage_modifier", _donnees(appris, texte_fr="Réécrit.")),
        ("apprentissage_supprimer", {}),
    ):
        reponse = client.post(_url(nom, appris), corps)
        assert reponse.status_code == 403
        assert "il se corrige quand elle est renvoyée ou rouverte" in html.unescape(
            reponse.content.decode()
        )
    assert _intact(appris)
    liste = client.get(reverse("apprentissages", kwargs={"slug": quartier_a.slug}))
    assert _url("apprentissage_modifier", appris) not in liste.content.decode()
    Saisie.objects.filter(pk=saisie.pk).update(statut="renvoyee", motif_renvoi="À revoir.")
    liste = client.get(reverse("apprentissages", kwargs={"slug": quartier_a.slug}))
    # Renvoyée, elle n'est plus publiée : ni « pas encore soumise », ni aux bilans.
    assert "saisie non transmise (brouillon ou renvoyée) : absent des bilans" in html.unescape(
        liste.content.decode()
    )
    assert client.post(_url("apprentissage_modifier", appris), _donnees(appris)).status_code == 302


def test_le_service_refuse_comme_les_pages(alice, bob, charlie, monde):
    periode = monde["t4"]
    with pytest.raises(PermissionDenied):
        services_apprentissages.modifier_apprentissage(
            utilisateur=bob,
            apprentissage=monde["alice"],
            periode=periode,
            categorie="defis",
            texte_fr="X",
        )
    with pytest.raises(Http404):
        services_apprentissages.supprimer_apprentissage(
            utilisateur=charlie, apprentissage=monde["alice"]
        )
    with pytest.raises(PermissionDenied):
        services_apprentissages.supprimer_apprentissage(
            utilisateur=bob, apprentissage=monde["alice"]
        )
    assert Apprentissage.objects.filter(pk=monde["alice"].pk).exists()


def test_corriger_un_apprentissage_retire_entre_temps_repond_404(alice, monde):
    """Retiré par quelqu'un d'autre entre la lecture et l'envoi : 404, pas d'erreur serveur."""
    appris = monde["bob"]
    Apprentissage.objects.filter(pk=appris.pk).delete()
    with pytest.raises(Http404):
        services_apprentissages.modifier_apprentissage(
            utilisateur=alice,
            apprentissage=appris,
            periode=appris.periode,
            categorie="defis",
            texte_fr="Trop tard.",
        )
    assert not Apprentissage.objects.filter(pk=appris.pk).exists()


# --- Retirer ----------------------------------------------------------------------------------


def test_retirer_demande_confirmation_puis_retire(client, alice, monde):
    client.force_login(alice)
    appris = monde["bob"]
    url = _url("apprentissage_supprimer", appris)
    reponse = client.get(url)
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert TEXTE_BOB in page and 'method="post"' in page
    assert Apprentissage.objects.filter(pk=appris.pk).exists()  # GET ne retire rien
    reponse = client.post(url)
    assert reponse.status_code == 302
    assert reponse.url == reverse("apprentissages", kwargs={"slug": appris.quartier.slug})
    assert not Apprentissage.objects.filter(pk=appris.pk).exists()
    page = client.get(reponse.url).content.decode()
    assert "L&#x27;apprentissage est retiré." in page and TEXTE_BOB not in page
    assert client.post(url).status_code == 404  # déjà retiré


def test_bob_retire_le_sien(client, bob, monde):
    client.force_login(bob)
    assert client.post(_url("apprentissage_supprimer", monde["bob"])).status_code == 302
    assert not Apprentissage.objects.filter(pk=monde["bob"].pk).exists()


# --- Les bilans figés -------------------------------------------------------------------------


def test_corriger_ou_retirer_ne_change_pas_un_bilan_deja_produit(client, alice, quartier_a, monde):
    bilan = Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=quartier_a,
        annee=2024,
        trimestre=4,
        statut=StatutBilan.PRET,
        demande_par=alice,
    )
    bilan.instantane = construire_instantane(bilan)
    bilan.somme_controle = somme_de_controle(bilan.instantane)
    bilan.save()
    avant = json.dumps(bilan.instantane, sort_keys=True)
    assert TEXTE_ALICE in avant and TEXTE_BOB in avant  # le bilan les montre bien

    client.force_login(alice)
    corrige = "Les jeunes reviennent quand un pair les invite."
    appris = monde["alice"]
    url = _url("apprentissage_modifier", appris)
    assert client.post(url, _donnees(appris, texte_fr=corrige)).status_code == 302
    assert client.post(_url("apprentissage_supprimer", monde["bob"])).status_code == 302

    bilan.refresh_from_db()
    assert json.dumps(bilan.instantane, sort_keys=True) == avant
    assert bilan.somme_controle == somme_de_controle(bilan.instantane)
    # Le bilan suivant, lui, lit la correction.
    suivant = json.dumps(construire_instantane(bilan))
    assert corrige in suivant and TEXTE_ALICE not in suivant and TEXTE_BOB not in suivant
