"""La liste des bilans dit la langue de chacun, et « Comparer A et B » sans choix, avec un choix
illisible ou avec le même bilan deux fois ramène à la liste avec un message (400), jamais une
page « Bilan introuvable »."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.urls import reverse

from rapports import services
from rapports.models import Bilan, Portee
from tests.factories import AffectationFactory, construire_quartier

pytestmark = pytest.mark.django_db

CHOISIR = "Choisissez deux bilans prêts dans la liste : un bilan A et un bilan B."
MEME_BILAN = "A et B sont le même bilan : choisissez deux bilans différents."


@pytest.fixture
def villeray():
    return construire_quartier(nom="Villeray", indicateurs=1, trimestres=4)


@pytest.fixture
def coordonnatrice(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


def demander(auteur, quartier, langue: str) -> Bilan:
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        return services.demander_bilan(
            auteur=auteur,
            portee=Portee.QUARTIER,
            quartier=quartier,
            annee=2023,
            trimestre=4,
            langue=langue,
        )


def _ligne(contenu: str, bilan: Bilan) -> str:
    """La ligne du tableau de ce bilan."""
    lien = reverse("bilan_detail", args=[bilan.pk])
    return re.search(rf'<tr>\s*<th scope="row"><a href="{lien}">.*?</tr>', contenu, re.S)[0]


def test_deux_bilans_de_meme_periode_se_distinguent_par_leur_langue(
    client, coordonnatrice, villeray
):
    francais = demander(coordonnatrice, villeray, "fr")
    anglais = demander(coordonnatrice, villeray, "en")
    assert str(francais) == str(anglais)
    client.force_login(coordonnatrice)
    contenu = client.get(reverse("bilans")).content.decode()
    assert '<th scope="col">Langue</th>' in contenu
    # Le nom de la langue, dans la langue de la page (Django traduit « English » en « Anglais »).
    assert "<td>Français</td>" in _ligne(contenu, francais)
    assert "<td>Anglais</td>" in _ligne(contenu, anglais)


@pytest.mark.parametrize(
    "choix",
    [{}, {"a": "", "b": ""}, {"b": "1"}, {"a": "x", "b": "1"}, {"a": "1", "b": "99999999999"}],
    ids=["rien", "vides", "sans_a", "illisible", "trop_grand"],
)
def test_comparer_sans_choix_valable_ramene_a_la_liste_avec_un_message(
    client, coordonnatrice, villeray, choix
):
    demander(coordonnatrice, villeray, "fr")
    client.force_login(coordonnatrice)
    reponse = client.get(reverse("bilans_comparer"), choix)
    assert reponse.status_code == 400
    assert "rapports/bilans.html" in [t.name for t in reponse.templates]
    contenu = reponse.content.decode()
    assert CHOISIR in contenu
    assert "Bilan introuvable" not in contenu
    # Le formulaire de demande de la page envoie toujours à la liste, pas à la comparaison.
    assert f'<form method="post" action="{reverse("bilans")}"' in contenu


def test_comparer_un_bilan_avec_lui_meme_est_refuse(client, coordonnatrice, villeray):
    bilan = services.generer_bilan(bilan_id=demander(coordonnatrice, villeray, "fr").pk)
    client.force_login(coordonnatrice)
    reponse = client.get(reverse("bilans_comparer"), {"a": bilan.pk, "b": bilan.pk})
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert MEME_BILAN in contenu
    # Le choix fait reste coché : on n'a qu'à changer B.
    assert f'name="a" value="{bilan.pk}" checked' in contenu
    assert f'name="b" value="{bilan.pk}" checked' in contenu


def test_comparer_le_bilan_d_un_autre_quartier_reste_introuvable(
    client, coordonnatrice, villeray, charlie, quartier_b
):
    a = demander(coordonnatrice, villeray, "fr")
    ailleurs = demander(charlie, quartier_b, "fr")
    client.force_login(coordonnatrice)
    reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": ailleurs.pk})
    assert reponse.status_code == 404


def test_la_comparaison_dit_la_langue_de_chaque_bilan(client, coordonnatrice, villeray):
    francais = services.generer_bilan(bilan_id=demander(coordonnatrice, villeray, "fr").pk)
    anglais = services.generer_bilan(bilan_id=demander(coordonnatrice, villeray, "en").pk)
    client.force_login(coordonnatrice)
    reponse = client.get(reverse("bilans_comparer"), {"a": francais.pk, "b": anglais.pk})
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert f"{francais}</a> (Français) · B :" in contenu
    assert f"{anglais}</a> (Anglais)</p>" in contenu
