"""Une seule règle pour l'écriture scientifique (« 1e3 », « 1.2E+07 ») : la lecture commune
(`validation.analyser`) la refuse pour le formulaire trimestriel, l'import et l'API, avec un
message qui propose le nombre sans exposant quand il serait accepté (« soit 12 000 000 »), écrit
dans la langue de la page comme les autres nombres que proposent les messages. Avant, le
formulaire et l'import lisaient « 1e3 » 1000 sans rien dire, et seule l'API refusait, avec son
propre message (`api_saisies._EXPOSANT`, retiré). Un nombre JSON (1000, 1e7) reste un nombre."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import Valeur
from indicateurs.validation import analyser

SCIENTIFIQUE = "est en écriture scientifique : écrivez le nombre sans exposant"


def refus(unite: str, brut: str) -> list[str]:
    with pytest.raises(ValidationError) as erreur:
        analyser(unite, brut)
    return erreur.value.messages


# --- La lecture ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unite", "brut", "fr", "en"),
    [
        ("nombre", "1.2E+07", "12\xa0000\xa0000", "12000000"),
        ("nombre", "1e3", "1\xa0000", "1000"),
        ("nombre", "1 e 3", "1\xa0000", "1000"),
        ("dollars", "1,5e3", "1\xa0500", "1500"),  # virgule décimale dans la mantisse
        ("dollars", "$1,234.5e1", "12\xa0345", "12345"),
        ("pourcentage", "2.5E-1", "0,25", "0.25"),
        ("pourcentage", "4.55e1 %", "45,5", "45.5"),
        ("echelle", "3e0", "3", "3"),
        ("pourcentage", "0e-99999", "0", "0"),
    ],
)
def test_un_exposant_est_refuse_avec_le_nombre_sans_exposant(unite, brut, fr, en):
    with translation.override("fr"):
        assert refus(unite, brut) == [f"« {brut} » {SCIENTIFIQUE}, soit {fr}."]
    with translation.override("en"):
        (message,) = refus(unite, brut)
        assert message.endswith(f" {en}.")  # écrit comme le relit le formulaire anglais
        assert analyser(unite, en) is not None


@pytest.mark.parametrize(
    ("unite", "brut", "raison"),
    [
        ("nombre", "1e1000000", "La valeur est trop grande."),
        ("dollars", "1.5e10", "La valeur est trop grande."),
        ("nombre", "2.5e-1", "Entrez un nombre entier (sans décimales)."),
        ("nombre", "-1e2", "Un nombre ne peut pas être négatif."),
        ("pourcentage", "1.5e2", "Un pourcentage est compris entre 0 et 100."),
        (
            "dollars",
            "1.23456e2",
            "« 123,456 » a plus de deux décimales : arrondissez-la, par exemple à 123,46.",
        ),
    ],
)
def test_un_exposant_dont_la_valeur_serait_refusee_dit_aussi_pourquoi(unite, brut, raison):
    """Rien à proposer : la raison de refuser la valeur suit, pour tout corriger d'un coup."""
    assert refus(unite, brut) == [f"« {brut} » {SCIENTIFIQUE}.", raison]


def test_une_mantisse_ambigue_ne_propose_rien():
    """« 12,500e3 » : 12,5 mille ou 12 500 mille ? Aucune valeur n'est proposée."""
    assert refus("dollars", "12,500e3") == [f"« 12,500e3 » {SCIENTIFIQUE}."]


@pytest.mark.parametrize("brut", ["e3", "1e", "1e3e3", "1e3.5", "E"])
def test_ce_qui_n_est_pas_un_nombre_le_reste(brut):
    assert refus("nombre", brut) == [f"« {brut} » n'est pas un nombre."]


@pytest.mark.parametrize("brut", ["1e3", "1.2E+07", "Adoptée le 3e jour"])
def test_un_texte_garde_son_e(brut):
    assert analyser("texte", brut) == brut


@pytest.mark.parametrize(
    ("brut", "attendu"),
    [("1000", Decimal("1000")), ("1 000", Decimal("1000")), ("12,5", Decimal("12.5"))],
)
def test_un_nombre_sans_exposant_se_lit_comme_avant(brut, attendu):
    assert analyser("dollars", brut) == attendu


# --- Le formulaire, l'import et l'API : le même message -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("langue", "propose"), [("fr", "12\xa0000\xa0000"), ("en", "12000000")])
def test_le_formulaire_refuse_l_exposant_a_cote_du_champ(
    client, alice, periode, indicateurs_a, langue, propose
):
    menages = indicateurs_a["menages"]
    client.force_login(alice)
    client.cookies["django_language"] = langue
    adresse = reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})
    reponse = client.post(
        adresse, {"version": "1", f"v{menages.pk}": "1.2E+07", "action": "enregistrer"}
    )
    assert reponse.status_code == 400
    (message,) = reponse.context["form"].errors[f"v{menages.pk}"]
    assert message.startswith("« 1.2E+07 » ") or message.startswith("“1.2E+07” ")
    assert message.endswith(f" {propose}.")
    assert 'value="1.2E+07"' in reponse.content.decode()  # ce qui a été tapé reste
    assert not Valeur.objects.exists()


def _importer(client, quartier, contenu: bytes, nom: str):
    url = reverse("import_valeurs", kwargs={"slug": quartier.slug})
    return client.post(url, {"fichier": SimpleUploadedFile(nom, contenu), "action": "importer"})


@pytest.mark.django_db
@pytest.mark.parametrize(("langue", "propose"), [("fr", "12\xa0000\xa0000"), ("en", "12000000")])
def test_l_import_csv_refuse_l_exposant_sur_sa_ligne(
    client, alice, quartier_a, periode, indicateurs_a, langue, propose
):
    client.force_login(alice)
    client.cookies["django_language"] = langue
    contenu = b"periode,indicateur,valeur\r\n2025-T1,menages,1.2E+07\r\n2025-T1,taux,2.5e1\r\n"
    reponse = _importer(client, quartier_a, contenu, "v.csv")
    assert reponse.status_code == 400
    problemes = reponse.context["rapport"].problemes
    assert [(p.ligne, p.colonne) for p in problemes] == [(2, "valeur"), (3, "valeur")]
    assert problemes[0].message.endswith(f" {propose}.")
    assert problemes[1].message.endswith(" 25.")
    if langue == "fr":
        assert problemes[0].message == f"« 1.2E+07 » {SCIENTIFIQUE}, soit {propose}."
    assert not Valeur.objects.exists()


@pytest.mark.django_db
def test_une_cellule_nombre_d_un_classeur_n_a_pas_d_exposant(
    client, alice, quartier_a, periode, indicateurs_a
):
    """Une cellule numérique (12 000 000 qu'Excel affiche « 1,20E+07 ») se lit par sa valeur,
    écrite sans exposant (`lecture_import._sans_zeros`) : la règle ne touche que le texte."""
    classeur = openpyxl.Workbook()
    classeur.active.append(["periode", "indicateur", "valeur"])
    classeur.active.append(["2025-T1", "menages", 1.2e7])
    classeur.active.append(["2025-T1", "taux", 2.5e1])
    tampon = io.BytesIO()
    classeur.save(tampon)
    client.force_login(alice)
    reponse = _importer(client, quartier_a, tampon.getvalue(), "v.xlsx")
    assert reponse.status_code == 302
    assert dict(Valeur.objects.values_list("indicateur__code", "valeur_numerique")) == {
        "menages": Decimal("12000000"),
        "taux": Decimal("25"),
    }


def _ecrire(alice, saisie, corps: str):
    client = APIClient()
    client.force_login(alice)
    return client.put(
        f"/api/v1/saisies/{saisie.pk}/valeurs/",
        corps,
        content_type="application/json",
        HTTP_IF_MATCH=f'"{saisie.version}"',
    )


@pytest.mark.django_db
def test_l_api_refuse_le_texte_avec_exposant_avec_le_message_du_formulaire(
    alice, table_a, periode, indicateurs_a
):
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    reponse = _ecrire(
        alice, saisie, '{"valeurs": [{"indicateur": "menages", "valeur": "1.2E+07"}]}'
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"valeurs": {"0": {"valeur": refus("nombre", "1.2E+07")}}}
    assert not Valeur.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("json_menages", "json_taux", "menages", "taux"),
    [
        ("1000", "12.5", Decimal("1000"), Decimal("12.5")),
        ("1e7", "2.5e1", Decimal("10000000"), Decimal("25")),  # des nombres JSON
        ('"1000"', '"12,5"', Decimal("1000"), Decimal("12.5")),
    ],
)
def test_l_api_lit_toujours_les_nombres_json(
    alice, table_a, periode, indicateurs_a, json_menages, json_taux, menages, taux
):
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    corps = (
        f'{{"valeurs": [{{"indicateur": "menages", "valeur": {json_menages}}}, '
        f'{{"indicateur": "taux", "valeur": {json_taux}}}]}}'
    )
    reponse = _ecrire(alice, saisie, corps)
    assert reponse.status_code == 200, reponse.json()
    assert dict(Valeur.objects.values_list("indicateur__code", "valeur_numerique")) == {
        "menages": menages,
        "taux": taux,
    }
