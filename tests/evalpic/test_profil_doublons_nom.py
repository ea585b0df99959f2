"""« Nom » a deux sens : le nom de famille d'une personne (profil) et le nom d'un objet (jeton,
indicateur). Deux messages distincts, pour que l'anglais dise « Last name » pour l'un et
« Name » pour l'autre : le nom de famille passe par le contexte « personne »."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from evalpic.forms import ProfilForm
from quartiers.jetons import creer_jeton
from quartiers.models import Affectation
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db


@pytest.fixture
def anglais(monkeypatch):
    """Le catalogue anglais avec les deux sens de « Nom » (tels que le responsable des
    traductions les inscrit dans le .po), rétabli après le test."""
    catalogue = trans_real.translation("en")._catalog._catalogs[0]
    monkeypatch.setitem(catalogue, "Nom", "Name")
    monkeypatch.setitem(catalogue, "personne\x04Nom", "Last name")


def test_le_nom_de_famille_du_profil_a_son_propre_message(anglais):
    with translation.override("en"):
        assert str(ProfilForm().fields["last_name"].label) == "Last name"
    with translation.override("fr"):
        assert str(ProfilForm().fields["last_name"].label) == "Nom"


def test_en_anglais_le_profil_dit_last_name_et_la_colonne_des_jetons_name(client, alice, anglais):
    creer_jeton(utilisateur=alice, nom="tableur")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)
    html = client.get(reverse("profil")).content.decode()
    assert ">Last name<" in html  # l'étiquette du champ du profil
    entete = html.split("<thead>")[1].split("</thead>")[0]
    assert '<th scope="col">Name</th>' in entete and "Last name" not in entete


def test_en_anglais_la_colonne_du_nom_d_un_indicateur_dit_name(client, alice, anglais):
    q = construire_quartier(nom="Quartier Plein")
    Affectation.objects.create(utilisateur=alice, quartier=q, role="coordonnateur")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)
    r = client.get(reverse("tableau_quartier", kwargs={"slug": q.slug}), {"csv": "series"})
    entetes = r.content.decode("utf-8-sig").splitlines()[0].split(";")
    assert entetes[1] == "Name"
