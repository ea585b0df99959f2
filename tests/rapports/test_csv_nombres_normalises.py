"""Une même valeur s'écrit de la même façon dans tous les CSV : celui du tableau d'un quartier
(des flottants des graphiques), celui d'un indicateur entre quartiers (des décimaux), ceux de la
carte de complétude et des partenaires, l'export des valeurs, l'API et le CSV d'un bilan. Forme
décimale à point, sans zéros inutiles ni exposant (« 300 », pas « 300.0 », « 300.0000 » ni
« 3E+2 »), sans reste de l'arithmétique binaire (0.1 + 0.2 → « 0.3 »)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from indicateurs.models import Saisie, Valeur
from rapports.csv import texte_decimal
from rapports.exports import exporter_csv
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import (
    ChangementViseFactory,
    IndicateurSuiviFactory,
    ParticipationFactory,
    QuartierFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

VALEURS = ["300", "12.5", "0.0001", "1000000", "33.3333"]
FILTRE = {"debut": "2023-T1", "fin": "2023-T4"}


def _lire(contenu: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))


def _telecharger(client, adresse: str, **parametres) -> list[dict[str, str]]:
    reponse = client.get(adresse, parametres)
    assert reponse.status_code == 200, adresse
    contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    return _lire(contenu)


def _quartier(valeur: Decimal, partenaires: int = 0):
    """Un quartier qui suit un indicateur : `valeur` pour référence et pour valeur validée en
    2023-T4; `partenaires` partenaires actifs."""
    for trimestre in (1, 2, 3):  # les trimestres du filtre
        periode_du_trimestre(2023, trimestre)
    quartier = QuartierFactory(nom="Quartier Chiffré", slug="quartier-chiffre")
    for _ in range(partenaires):
        ParticipationFactory(table=quartier.table)
    suivi = IndicateurSuiviFactory(quartier=quartier, valeur_reference=valeur)
    changement = ChangementViseFactory(strategie=StrategieFactory(quartier=quartier))
    changement.indicateurs.set([suivi.indicateur])
    saisie = Saisie.objects.create(
        table=quartier.table, periode=periode_du_trimestre(2023, 4), statut="validee"
    )
    Valeur.objects.create(saisie=saisie, indicateur=suivi.indicateur, valeur_numerique=valeur)
    return quartier, suivi.indicateur.code


def _bilan(quartier) -> list[dict[str, str]]:
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    return _lire(exporter_csv(construire_instantane(bilan)))


@pytest.mark.parametrize("texte", VALEURS)
def test_la_meme_valeur_s_ecrit_pareil_dans_chaque_csv(client, eve, texte):
    quartier, code = _quartier(Decimal(texte))
    client.force_login(eve)

    (serie,) = [
        ligne
        for ligne in _telecharger(
            client,
            reverse("tableau_quartier", kwargs={"slug": quartier.slug}),
            csv="series",
            **FILTRE,
        )
        if ligne["Valeur"]
    ]
    (entre_quartiers,) = [
        ligne
        for ligne in _telecharger(
            client,
            reverse("indicateur_entre_quartiers", kwargs={"code": code}),
            csv="quartiers",
            **FILTRE,
        )
        if ligne["Valeur"]
    ]
    (export,) = _telecharger(client, reverse("export_valeurs_csv"))
    (bilan,) = [ligne for ligne in _bilan(quartier) if ligne["Valeur"]]
    (api,) = client.get("/api/v1/valeurs/").json()["results"]

    ecrits = {
        "tableau du quartier, valeur": serie["Valeur"],
        "tableau du quartier, référence": serie["Référence"],
        "indicateur entre quartiers, valeur": entre_quartiers["Valeur"],
        "indicateur entre quartiers, référence": entre_quartiers["Référence"],
        "export des valeurs": export["Valeur"],
        "bilan, valeur": bilan["Valeur"],
        "bilan, référence": bilan["Référence"],
        "API": api["valeur"],
    }
    assert ecrits == dict.fromkeys(ecrits, texte)


def test_completude_et_partenaires_s_ecrivent_comme_l_export(client, eve):
    """100 % de complétude et 3 partenaires actifs : « 100 » et « 3 », comme l'export écrit la
    valeur 100 et le bilan la référence 3 (pas « 100.0 » ni « 3.0 »)."""
    quartier, _code = _quartier(Decimal("100"), partenaires=3)
    IndicateurSuiviFactory(quartier=quartier, valeur_reference=Decimal("3"))
    client.force_login(eve)
    (export,) = _telecharger(client, reverse("export_valeurs_csv"))
    references = {ligne["Référence"] for ligne in _bilan(quartier)}
    Saisie.objects.get().valeurs.create(
        indicateur=quartier.indicateurs_suivis.get(valeur_reference=3).indicateur,
        valeur_numerique=Decimal("3"),
    )

    (completude,) = _telecharger(client, reverse("tableau_pic"), csv="completude", **FILTRE)
    assert completude["T4 2023"] == export["Valeur"] == "100"
    partenaires = _telecharger(client, reverse("tableau_pic"), csv="partenaires", **FILTRE)
    assert {ligne["Partenaires actifs"] for ligne in partenaires} == {"3"}
    assert "3" in references


@pytest.mark.parametrize(
    ("nombre", "texte"),
    [
        (Decimal("300.0000"), "300"),
        (Decimal("3E+2"), "300"),
        (Decimal("12.5000"), "12.5"),
        (Decimal("0.0001"), "0.0001"),
        (Decimal("1000000.0000"), "1000000"),
        (Decimal("-0.0000"), "0"),
        (Decimal("-3.2500"), "-3.25"),
        (300.0, "300"),
        (0.1 + 0.2, "0.3"),
        (1e-4, "0.0001"),
        (1e6, "1000000"),
        (33.3333, "33.3333"),
        (-0.0, "0"),
        (2.302585092994046, "2.3026"),  # un flottant : les quatre décimales des valeurs
        (12, "12"),
    ],
)
def test_texte_decimal(nombre, texte):
    assert texte_decimal(nombre) == texte
