"""L'administration des apprentissages suit la garde de la page de correction : son formulaire
porte, cachée, la version de l'apprentissage à son ouverture (`services_apprentissages.empreinte`,
faite aussi du quartier et de l'auteur·e, `CHAMPS_ADMINISTRES`). Avant, l'admin enregistrait sans
elle : une correction faite entre-temps sur la page (ou par une autre personne dans l'admin) était
remplacée sans un mot. Maintenant, rien n'est écrit, une erreur dit ce qui est enregistré, et un
nouvel envoi (qui porte la version actuelle) remplace en connaissance de cause. L'écriture passe
par la mise à jour conditionnelle de la page, la ligne verrouillée pendant l'envoi."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import services, services_apprentissages
from indicateurs.admin_forms import ApprentissageAdminForm
from indicateurs.models import Apprentissage
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db

INITIAL = "Les jeunes reviennnent quand un pair les invite."


@pytest.fixture
def apprentissage(alice, quartier_a, periode, indicateurs_a):
    return services.ajouter_apprentissage(
        auteur=alice, quartier=quartier_a, periode=periode, categorie="defis", texte_fr=INITIAL
    )


@pytest.fixture
def adresse_admin(apprentissage):
    return reverse("admin:indicateurs_apprentissage_change", args=[apprentissage.pk])


@pytest.fixture
def adresse_page(quartier_a, apprentissage):
    return reverse(
        "apprentissage_modifier", kwargs={"slug": quartier_a.slug, "pk": apprentissage.pk}
    )


def _version(reponse) -> str:
    """La version que le formulaire renvoie, comme un navigateur (aucune, s'il n'en porte pas :
    l'admin d'avant)."""
    trouvee = re.search(r'name="version" value="([^"]*)"', reponse.content.decode())
    return trouvee.group(1) if trouvee else ""


def _admin(apprentissage, version: str, *, texte: str, auteur=None) -> dict:
    auteur = auteur if auteur is not None else apprentissage.auteur
    return {
        "quartier": apprentissage.quartier_id,
        "periode": apprentissage.periode_id,
        "categorie": apprentissage.categorie,
        "indicateur": apprentissage.indicateur_id or "",
        "changement": apprentissage.changement_id or "",
        "texte_fr": texte,
        "texte_en": apprentissage.texte_en,
        "auteur": auteur.pk if auteur else "",
        "version": version,
    }


def _page(periode, texte: str, version: str) -> dict:
    return {"periode": periode.code, "categorie": "defis", "texte_fr": texte, "version": version}


def test_l_admin_ne_remplace_pas_une_correction_faite_entre_temps_sur_la_page(
    client, ada, alice, periode, apprentissage, adresse_admin, adresse_page
):
    client.force_login(ada)
    ouverte = _version(client.get(adresse_admin))
    services_apprentissages.modifier_apprentissage(
        utilisateur=alice,
        apprentissage=apprentissage,
        periode=periode,
        categorie="defis",
        texte_fr="Correction d'Alice.",
    )

    reponse = client.post(adresse_admin, _admin(apprentissage, ouverte, texte="Correction d'Ada."))

    assert reponse.status_code == 200
    erreurs = reponse.context["adminform"].form.non_field_errors()
    assert erreurs[0] == (
        "Quelqu'un a corrigé cet apprentissage pendant que vous le corrigiez. Rien de ce que "
        "vous avez envoyé n'a été enregistré."
    )
    assert "Enregistré maintenant — Texte (français) : Correction d'Alice." in erreurs
    assert "Correction d&#x27;Ada." in reponse.content.decode()  # la sienne, dans le formulaire
    apprentissage.refresh_from_db()
    assert apprentissage.texte_fr == "Correction d'Alice."

    # Le formulaire porte la version actuelle : enregistrer de nouveau remplace, sciemment.
    actuelle = _version(reponse)
    assert actuelle != ouverte
    donnees = _admin(apprentissage, actuelle, texte="Correction d'Ada.")
    assert client.post(adresse_admin, donnees).status_code == 302
    apprentissage.refresh_from_db()
    assert apprentissage.texte_fr == "Correction d'Ada."


def test_la_page_voit_la_correction_de_l_admin(
    client, ada, alice, periode, apprentissage, adresse_admin, adresse_page
):
    """L'admin change la version comme la page : la correction ouverte avant elle sur la page
    répond 409 au lieu de la remplacer."""
    client.force_login(alice)
    version_page = _version(client.get(adresse_page))
    client.force_login(ada)
    ouverte = _version(client.get(adresse_admin))
    assert (
        client.post(adresse_admin, _admin(apprentissage, ouverte, texte="Par Ada.")).status_code
        == 302
    )

    client.force_login(alice)
    reponse = client.post(adresse_page, _page(periode, "Par Alice.", version_page))
    assert reponse.status_code == 409
    assert Apprentissage.objects.get().texte_fr == "Par Ada."


def test_changer_seulement_l_auteur_dans_l_admin_ne_fait_pas_de_faux_conflit_sur_la_page(
    client, ada, alice, periode, apprentissage, adresse_admin, adresse_page
):
    client.force_login(alice)
    version_page = _version(client.get(adresse_page))
    client.force_login(ada)
    ouverte = _version(client.get(adresse_admin))
    donnees = _admin(apprentissage, ouverte, texte=INITIAL, auteur=ada)
    assert client.post(adresse_admin, donnees).status_code == 302

    client.force_login(alice)
    assert client.post(adresse_page, _page(periode, "Par Alice.", version_page)).status_code == 302
    apprentissage.refresh_from_db()
    assert (apprentissage.texte_fr, apprentissage.auteur) == ("Par Alice.", ada)


def test_deux_administrateurs_l_auteur_change_par_l_un_n_est_pas_efface_par_l_autre(
    client, ada, alice, apprentissage, adresse_admin
):
    grace = UtilisateurFactory(email="grace@exemple.org", is_staff=True, is_superuser=True)
    client.force_login(ada)
    version_ada = _version(client.get(adresse_admin))
    client.force_login(grace)
    version_grace = _version(client.get(adresse_admin))
    donnees = _admin(apprentissage, version_grace, texte=INITIAL, auteur=grace)
    assert client.post(adresse_admin, donnees).status_code == 302

    client.force_login(ada)
    reponse = client.post(adresse_admin, _admin(apprentissage, version_ada, texte="Corrigé."))

    assert reponse.status_code == 200
    erreurs = reponse.context["adminform"].form.non_field_errors()
    assert f"Enregistré maintenant — Auteur·e : {grace}" in erreurs
    apprentissage.refresh_from_db()
    assert (apprentissage.texte_fr, apprentissage.auteur) == (INITIAL, grace)


def test_l_envoi_verrouille_la_ligne_et_ecrit_par_la_mise_a_jour_conditionnelle(
    client, ada, apprentissage, adresse_admin, monkeypatch
):
    client.force_login(ada)
    ouverte = _version(client.get(adresse_admin))
    ecritures = []
    ecrire = services_apprentissages.ecrire_si_inchange

    def espion(objet, version, **champs):
        ecritures.append(version)
        return ecrire(objet, version, **champs)

    monkeypatch.setattr(services_apprentissages, "ecrire_si_inchange", espion)
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.post(adresse_admin, _admin(apprentissage, ouverte, texte="Corrigé."))

    assert reponse.status_code == 302
    assert ecritures == [ouverte]
    verrous = [
        q["sql"]
        for q in requetes.captured_queries
        if "FOR UPDATE" in q["sql"] and "indicateurs_apprentissage" in q["sql"]
    ]
    assert verrous
    assert Apprentissage.objects.get().texte_fr == "Corrigé."


def test_la_version_de_l_admin_couvre_tout_ce_que_son_formulaire_ecrit(ada, rf):
    """Un champ ajouté au formulaire de l'admin sans entrer dans la version serait écrit sans
    garde (et pas du tout par `ecrire_si_inchange`)."""
    from django.contrib.admin.sites import site

    modele_admin = site._registry[Apprentissage]
    requete = rf.get("/")
    requete.user = ada
    formulaire = modele_admin.get_form(requete, Apprentissage(), change=True)
    ecrits = {
        Apprentissage._meta.get_field(nom).attname
        for nom in formulaire.base_fields
        if nom != "version"
    }
    assert ecrits == set(services_apprentissages.CHAMPS_ADMINISTRES)
    assert issubclass(formulaire, ApprentissageAdminForm)


def test_sans_version_l_admin_enregistre_comme_avant(client, ada, apprentissage, adresse_admin):
    """Un envoi qui ne porte pas de version (script, ancien onglet) n'a pas de garde, comme la
    page."""
    client.force_login(ada)
    assert (
        client.post(adresse_admin, _admin(apprentissage, "", texte="Corrigé.")).status_code == 302
    )
    assert Apprentissage.objects.get().texte_fr == "Corrigé."
