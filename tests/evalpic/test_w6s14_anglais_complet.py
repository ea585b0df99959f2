"""L'anglais complet, session 14 (W6) : dates courtes ISO en anglais (le français ne change pas),
signe pour cent écrit par la langue, titres traduits des tags de l'API, permissions de
l'administration dans la langue de qui les lit."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import formats, timezone, translation
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from evalpic.api.schema import TAGS
from indicateurs.models import StatutPeriode
from quartiers.models import Partenaire, Participation
from quartiers.services_registre import _message_de_chevauchement
from rapports.graphiques import carte_completude
from tests.factories import IndicateurSuiviFactory, construire_quartier, periode_du_trimestre
from tests.w6s14_traductions import traductions_anglaises

LE_28_NOVEMBRE = datetime.date(2026, 11, 28)


# --- 1. Dates courtes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("langue", "date", "date_et_heure", "longue"),
    [
        ("fr", "28/11/2026", "28/11/2026 03:20", "28 novembre 2026"),
        ("en", "2026-11-28", "2026-11-28 03:20", "Nov. 28, 2026"),
    ],
)
def test_les_dates_courtes_se_lisent_le_meme_jour_dans_les_deux_langues(
    langue, date, date_et_heure, longue
):
    """Avant : « 11/28/2026 » et « 11/28/2026 3:20 a.m. » en anglais, quand « 02/01/2016 » se lit
    le 2 janvier en français et le 1er février en anglais."""
    moment = datetime.datetime(2026, 11, 28, 3, 20)
    with translation.override(langue):
        assert formats.date_format(LE_28_NOVEMBRE, "SHORT_DATE_FORMAT") == date
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == date_et_heure
        assert formats.date_format(LE_28_NOVEMBRE) == longue  # les formats longs ne changent pas


@pytest.mark.parametrize(
    ("langue", "attendu", "ambigu"),
    [("fr", "01/06/2019", "06/01/2019"), ("en", "2019-06-01", "06/01/2019")],
)
def test_le_chevauchement_au_registre_date_la_participation_sans_ambiguite(langue, attendu, ambigu):
    autre = Participation(partenaire=Partenaire(nom="Alpha"), debut=datetime.date(2019, 6, 1))
    with translation.override(langue):
        message = _message_de_chevauchement(autre)
    assert attendu in message and ambigu not in message


@pytest.mark.django_db
def test_l_accueil_en_anglais_date_les_partenaires_actifs_en_iso(client, eve):
    construire_quartier(nom="Villeray", indicateurs=1, trimestres=1, partenaires=0)
    client.force_login(eve)
    client.cookies["django_language"] = "en"
    contenu = client.get(reverse("accueil")).content.decode()
    assert f"Active partners as of {timezone.localdate().isoformat()}</th>" in contenu


# --- 3. Pour cent -----------------------------------------------------------------------------


def test_le_signe_pour_cent_suit_la_langue():
    from evalpic.nombres import pour_cent  # ici : le module d'avant ne l'avait pas

    with traductions_anglaises({("pour cent", "%(n)s %%"): "%(n)s%%"}):
        with translation.override("fr"):
            assert pour_cent(13) == "13\u00a0%"
            assert pour_cent(13, insecable=False) == "13 %"
        with translation.override("en"):
            assert pour_cent(13) == "13%"


def test_la_carte_de_completude_en_anglais_colle_le_signe():
    """Avant : « 50 % » (espace insécable à la française) dans les cases et le survol anglais."""
    with traductions_anglaises({("pour cent", "%(n)s %%"): "%(n)s%%"}):
        with translation.override("en"):
            trace = carte_completude(["A"], ["2026-T1", "2026-T2"], [[50, None]])["data"][0]
        with translation.override("fr"):
            francaise = carte_completude(["A"], ["2026-T1"], [[50]])["data"][0]
    assert trace["text"] == [["50%", ""]]
    assert "%{z:.0f}%" in trace["hovertemplate"] and "\u00a0%" not in trace["hovertemplate"]
    assert francaise["text"] == [["50\u00a0%"]]
    assert "%{z:.0f}\u00a0%" in francaise["hovertemplate"]


@pytest.mark.django_db
def test_la_page_de_completude_en_anglais_colle_le_signe(client, eve, quartier_a):
    """Avant : « 0 % » dans la colonne « Share » de la page anglaise."""
    IndicateurSuiviFactory(quartier=quartier_a)
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    client.force_login(eve)
    with traductions_anglaises({("pour cent", "%(n)s %%"): "%(n)s%%"}):
        francais = client.get(reverse("completude"), {"periode": periode.code}).content.decode()
        client.cookies["django_language"] = "en"
        anglais = client.get(reverse("completude"), {"periode": periode.code}).content.decode()
    assert '<td class="nombre insecable">0 %</td>' in francais
    assert '<td class="nombre insecable">0%</td>' in anglais


# --- 5. Titres des tags de l'API --------------------------------------------------------------


@pytest.mark.django_db
def test_chaque_tag_de_l_api_a_un_titre_traduit_sans_changer_de_nom():
    """Avant : ReDoc montrait « territoire », « catalogue et stratégies », « v1 » en anglais."""
    anglais = {
        "Quartiers, tables et partenaires": "Neighbourhoods, roundtables and partners",
        "Saisies, valeurs et bilans": "Data entries, values and reports",
    }
    with traductions_anglaises(anglais):
        schema = APIClient().get("/api/schema/", {"format": "json", "lang": "en"}).json()
    titres = {tag["name"]: tag.get("x-displayName") for tag in schema["tags"]}
    assert list(titres) == list(TAGS)  # les noms, identifiants des clients, ne changent pas
    assert titres["territoire"] == "Neighbourhoods, roundtables and partners"
    assert titres["v1"] == "Data entries, values and reports"
    francais = APIClient().get("/api/schema/", {"format": "json"}).json()
    assert {t["name"]: t["x-displayName"] for t in francais["tags"]}["v1"] == (
        "Saisies, valeurs et bilans"
    )
    validate_schema(francais)


# --- 6. Permissions de l'administration -------------------------------------------------------


@pytest.mark.django_db
def test_les_permissions_d_un_groupe_se_lisent_dans_la_langue_de_l_administration(client, ada):
    """Avant : « Can add cible » en anglais (et en français), le nom que Django écrit une fois à
    la migration avec le nom brut du modèle."""
    client.force_login(ada)
    client.cookies["django_language"] = "en"
    anglais = {("permission", "peut ajouter"): "can add"}
    with traductions_anglaises(anglais):
        with translation.override("en"):
            cible = str(Permission.objects.get(codename="add_cible").content_type)
        contenu = client.get(reverse("admin:auth_group_add")).content.decode()
    assert "Can add cible" not in contenu
    assert f"{cible} | can add</option>" in contenu
    assert "cible" not in cible  # le modèle y est nommé en anglais
    client.cookies["django_language"] = "fr"
    francais = client.get(reverse("admin:auth_group_add")).content.decode()
    assert "Stratégies et indicateurs | cible | peut ajouter</option>" in francais
    assert "Can add" not in francais
