"""Deux personnes corrigent le même apprentissage : la seconde correction n'écrase plus la
première sans un mot. Le formulaire de correction porte, cachée, la version de l'apprentissage
à son ouverture (services_apprentissages.empreinte); l'écriture est une mise à jour
conditionnelle, et une version périmée répond 409 avec les deux textes, rien d'écrit. Enregistrer
de nouveau depuis cette page remplace sciemment."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from indicateurs import services, services_apprentissages
from indicateurs.models import Apprentissage
from tests.factories import AffectationFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

INITIAL = "Les jeunes reviennnent quand un pair les invite."


def _texte(reponse) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", reponse.content.decode()).split()))


def _version(reponse) -> str:
    return re.search(r'name="version" value="([^"]*)"', reponse.content.decode()).group(1)


@pytest.fixture
def denise(quartier_a):
    personne = UtilisateurFactory(email="denise@exemple.org", first_name="Denise")
    AffectationFactory(utilisateur=personne, quartier=quartier_a, role="coordonnateur")
    return personne


@pytest.fixture
def apprentissage(alice, quartier_a, periode, indicateurs_a):
    return services.ajouter_apprentissage(
        auteur=alice, quartier=quartier_a, periode=periode, categorie="defis", texte_fr=INITIAL
    )


@pytest.fixture
def url(quartier_a, apprentissage):
    return reverse(
        "apprentissage_modifier", kwargs={"slug": quartier_a.slug, "pk": apprentissage.pk}
    )


def _correction(periode, texte: str, version: str) -> dict:
    return {"periode": periode.code, "categorie": "defis", "texte_fr": texte, "version": version}


def test_la_seconde_correction_sur_une_version_perimee_repond_409_avec_les_deux_textes(
    client, alice, denise, periode, apprentissage, url
):
    client.force_login(alice)
    version_alice = _version(client.get(url))
    client.force_login(denise)
    version_denise = _version(client.get(url))
    assert version_denise == version_alice
    correction = _correction(periode, "Correction de Denise.", version_denise)
    assert client.post(url, correction).status_code == 302

    client.force_login(alice)
    correction = _correction(
        periode, "Les jeunes reviennent quand un pair les invite.", version_alice
    )
    reponse = client.post(url, correction)
    assert reponse.status_code == 409
    texte = _texte(reponse)
    assert "Quelqu'un a corrigé cet apprentissage pendant que vous le corrigiez" in texte
    lignes = [(c["libelle"], c["la_votre"], c["l_autre"]) for c in reponse.context["conflit"]]
    assert lignes == [
        (
            "Texte en français",
            "Les jeunes reviennent quand un pair les invite.",
            "Correction de Denise.",
        )
    ]
    assert "Les jeunes reviennent quand un pair les invite." in reponse.content.decode()
    apprentissage.refresh_from_db()
    assert apprentissage.texte_fr == "Correction de Denise."

    # La page porte la version actuelle : enregistrer de nouveau remplace, en connaissance.
    nouvelle = _version(reponse)
    assert nouvelle != version_alice
    correction["version"] = nouvelle
    assert client.post(url, correction).status_code == 302
    apprentissage.refresh_from_db()
    assert apprentissage.texte_fr == "Les jeunes reviennent quand un pair les invite."


def test_une_erreur_garde_la_version_de_l_ouverture(
    client, alice, denise, periode, apprentissage, url
):
    """Refusée pour une erreur (400), la page garde la version lue à l'ouverture : la
    correction de l'autre, faite entre-temps, reste protégée."""
    client.force_login(alice)
    version = _version(client.get(url))
    reponse = client.post(url, _correction(periode, "", version))
    assert reponse.status_code == 400 and _version(reponse) == version
    services_apprentissages.modifier_apprentissage(
        utilisateur=denise,
        apprentissage=Apprentissage.objects.get(),
        periode=periode,
        categorie="au_dela",
        texte_fr=INITIAL,
    )
    assert client.post(url, _correction(periode, "Ma correction.", version)).status_code == 409
    assert Apprentissage.objects.get().categorie == "au_dela"


def test_le_service_refuse_une_version_perimee(alice, denise, periode, apprentissage):
    ouverte = services_apprentissages.empreinte(apprentissage)
    services_apprentissages.modifier_apprentissage(
        utilisateur=denise,
        apprentissage=apprentissage,
        periode=periode,
        categorie="defis",
        texte_fr="Correction de Denise.",
        version=ouverte,
    )
    with pytest.raises(services_apprentissages.ConflitApprentissage) as conflit:
        services_apprentissages.modifier_apprentissage(
            utilisateur=alice,
            apprentissage=Apprentissage.objects.get(),
            periode=periode,
            categorie="defis",
            texte_fr="Correction d'Alice.",
            version=ouverte,
        )
    assert conflit.value.actuel.texte_fr == "Correction de Denise."
    assert Apprentissage.objects.get().texte_fr == "Correction de Denise."


def test_une_ecriture_entre_la_lecture_et_la_mise_a_jour_est_un_conflit(
    alice, periode, apprentissage, monkeypatch
):
    """La mise à jour est conditionnelle : elle ne touche la ligne que si elle porte encore ce
    qui a été lu. Une correction écrite juste après la lecture la fait échouer."""
    lire = services_apprentissages._lire

    def lire_puis_une_autre_ecrit(pk):
        lu = lire(pk)
        Apprentissage.objects.filter(pk=pk).update(texte_fr="Écrit entre-temps.")
        monkeypatch.setattr(services_apprentissages, "_lire", lire)
        return lu

    monkeypatch.setattr(services_apprentissages, "_lire", lire_puis_une_autre_ecrit)
    with pytest.raises(services_apprentissages.ConflitApprentissage) as conflit:
        services_apprentissages.modifier_apprentissage(
            utilisateur=alice,
            apprentissage=apprentissage,
            periode=periode,
            categorie="defis",
            texte_fr="Ma correction.",
        )
    assert conflit.value.actuel.texte_fr == "Écrit entre-temps."
    assert Apprentissage.objects.get().texte_fr == "Écrit entre-temps."
