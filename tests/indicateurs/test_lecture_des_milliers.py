"""Une seule lecture des nombres pour le formulaire (en français comme en anglais), l'import et
l'API (`validation.analyser`). « 12,500 » — une virgule suivie de trois chiffres, sans autre
marque décimale — est ambigu : douze mille cinq cents dans un CSV d'Excel anglais, 12,5 à la
française. L'import le lisait 12,5 et le formulaire anglais 12 500 : des montants divisés par
mille sans bruit. Il est refusé partout, avec un message qui dit quoi faire."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, TypeEvenement, Valeur
from indicateurs.validation import analyser
from tests.factories import IndicateurFactory, IndicateurSuiviFactory

AMBIGUS = ["12,500", "1,234,567", "12,500 $", "$12,500", "-12,500", "12, 500"]


@pytest.fixture
def dollars(quartier_a, indicateurs_a):
    indicateur = IndicateurFactory(code="financement", unite="dollars")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


# --- La lecture ---------------------------------------------------------------------------------


@pytest.mark.parametrize("brut", AMBIGUS)
def test_une_virgule_suivie_de_trois_chiffres_est_refusee(brut):
    with pytest.raises(ValidationError) as erreur:
        analyser("dollars", brut)
    (message,) = erreur.value.messages
    assert message.startswith(f"« {brut} » est ambigu")
    assert "Retirez les séparateurs de milliers" in message


def test_le_message_donne_le_nombre_sans_separateurs():
    with pytest.raises(ValidationError) as erreur:
        analyser("dollars", "1,234,567")
    assert "(1234567)" in erreur.value.messages[0]


@pytest.mark.parametrize(
    ("brut", "attendu"),
    [
        ("1 234,5", Decimal("1234.5")),
        ("1\u202f234,5", Decimal("1234.5")),
        ("1234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        ("12,5", Decimal("12.5")),
        ("12,50", Decimal("12.50")),
        ("12 500", Decimal("12500")),
        ("12500", Decimal("12500")),
        ("1 234,500", Decimal("1234.5")),  # les espaces font les milliers : la virgule décimale
        ("12,345.50", Decimal("12345.50")),  # un point décimal : les virgules font les milliers
        ("12,500.00 $", Decimal("12500.00")),
    ],
)
def test_les_ecritures_sans_ambiguite_se_lisent_comme_avant(brut, attendu):
    assert analyser("dollars", brut) == attendu


@pytest.mark.parametrize("brut", ["0,005", "-0,001"])
def test_un_zero_devant_la_virgule_n_est_pas_un_groupe_de_milliers(brut):
    """« 0,005 » ne peut pas s'écrire avec des milliers : c'est trois décimales, que l'unité
    refuse pour ce qu'elles sont (trop de décimales, valeur négative), sans le conseil de
    retirer des séparateurs de milliers (« 0005 »)."""
    with pytest.raises(ValidationError) as erreur:
        analyser("dollars", brut)
    (message,) = erreur.value.messages
    assert "ambigu" not in message
    assert "milliers" not in message


def test_un_texte_n_est_pas_lu_comme_un_nombre():
    assert analyser("texte", "12,500") == "12,500"


# --- Le formulaire, dans les deux langues -------------------------------------------------------


def _formulaire(client, periode):
    return reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})


@pytest.mark.django_db
@pytest.mark.parametrize("langue", ["fr", "en"])
def test_le_formulaire_refuse_12_500_dans_les_deux_langues(client, alice, periode, dollars, langue):
    client.force_login(alice)
    client.cookies["django_language"] = langue
    envoi = {"version": "1", f"v{dollars.pk}": "12,500", "action": "enregistrer"}
    reponse = client.post(_formulaire(client, periode), envoi)
    assert reponse.status_code == 400
    # « ambigu » en français, « ambiguous » en anglais
    assert "ambigu" in reponse.context["form"].errors[f"v{dollars.pk}"][0]
    assert not Valeur.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("langue", "affiche"), [("fr", "12\xa0500"), ("en", "12500")])
def test_le_champ_ecrit_une_valeur_que_sa_lecture_accepte(
    client, alice, table_a, periode, dollars, langue, affiche
):
    """En anglais, le champ n'écrit plus « 12,500 » (que la lecture refuserait) : renvoyé tel
    quel, le formulaire n'écrit rien."""
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    Valeur.objects.create(saisie=saisie, indicateur=dollars, valeur_numerique=Decimal(12500))
    client.force_login(alice)
    client.cookies["django_language"] = langue
    page = client.get(_formulaire(client, periode)).content.decode()
    champ = re.search(rf'<input[^>]*name="v{dollars.pk}"[^>]*>', page).group(0)
    assert f'value="{affiche}"' in champ
    envoi = {"version": str(saisie.version), f"v{dollars.pk}": affiche, "action": "enregistrer"}
    assert client.post(_formulaire(client, periode), envoi).status_code == 302
    assert Valeur.objects.get(indicateur=dollars).valeur_numerique == 12500
    assert not EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR).exists()


# --- L'import -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("langue", ["fr", "en"])
def test_l_import_refuse_12_500_au_lieu_de_lire_12_5(
    client, alice, quartier_a, periode, dollars, langue
):
    client.force_login(alice)
    client.cookies["django_language"] = langue
    url = reverse("import_valeurs", kwargs={"slug": quartier_a.slug})
    contenu = b'periode,indicateur,valeur\r\n2025-T1,financement,"12,500"\r\n'
    fichier = SimpleUploadedFile("v.csv", contenu)
    reponse = client.post(url, {"fichier": fichier, "action": "importer"})
    assert reponse.status_code == 400
    assert [(p.ligne, p.colonne) for p in reponse.context["rapport"].problemes] == [(2, "valeur")]
    assert not Valeur.objects.exists()


@pytest.mark.django_db
def test_l_import_lit_les_milliers_d_excel_anglais_devant_un_point(
    client, alice, quartier_a, periode, dollars
):
    client.force_login(alice)
    url = reverse("import_valeurs", kwargs={"slug": quartier_a.slug})
    contenu = b'periode,indicateur,valeur\r\n2025-T1,financement,"12,500.00"\r\n'
    reponse = client.post(
        url, {"fichier": SimpleUploadedFile("v.csv", contenu), "action": "importer"}
    )
    assert reponse.status_code == 302
    assert Valeur.objects.get(indicateur=dollars).valeur_numerique == 12500


# --- L'API --------------------------------------------------------------------------------------


@pytest.fixture
def saisie(table_a, periode, alice, dollars) -> Saisie:
    return services.saisie_pour(table=table_a, periode=periode, auteur=alice)


def _ecrire(alice, saisie, valeur):
    client = APIClient()
    client.force_login(alice)
    corps = {"valeurs": [{"indicateur": "financement", "valeur": valeur}]}
    return client.put(
        f"/api/v1/saisies/{saisie.pk}/valeurs/",
        corps,
        format="json",
        HTTP_IF_MATCH=f'"{saisie.version}"',
    )


@pytest.mark.django_db
def test_l_api_refuse_la_chaine_12_500(alice, saisie):
    reponse = _ecrire(alice, saisie, "12,500")
    assert reponse.status_code == 400
    assert "ambigu" in reponse.json()["valeurs"]["0"]["valeur"][0]
    assert not Valeur.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("valeur", [12500, 12500.0, "12500", "12 500", "12,500.00"])
def test_l_api_lit_les_nombres_json_et_les_chaines_sans_ambiguite(alice, saisie, valeur):
    assert _ecrire(alice, saisie, valeur).status_code == 200
    assert Valeur.objects.get().valeur_numerique == 12500
