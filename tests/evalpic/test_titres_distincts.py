"""Chaque page a un titre qui la distingue (WCAG 2.4.2) : l'historique d'une saisie nomme sa
période (« Historique — Centre-Sud » valait pour tous les trimestres), le bilan dit qu'il est un
bilan et sa langue (le bilan français et l'anglais d'une période avaient le même titre), et le
formulaire de saisie dit qu'il est la saisie (il portait le titre du bilan de sa période :
« Saint-Michel — T2 2026 »)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from indicateurs.models import Saisie, StrategieDeChangement
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import StrategieFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _titre(client, adresse: str) -> str:
    reponse = client.get(adresse)
    assert reponse.status_code == 200
    (titre,) = re.findall(r"<title>(.*?)</title>", reponse.content.decode(), re.S)
    return titre


def _bilan(quartier, langue: str) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=quartier,
        annee=2024,
        trimestre=4,
        langue=langue,
        statut=StatutBilan.ECHEC,
    )


def test_l_historique_d_une_saisie_nomme_sa_periode(client, alice, quartier_a):
    client.force_login(alice)
    titres = []
    for trimestre in (3, 4):
        periode = periode_du_trimestre(2024, trimestre)
        Saisie.objects.create(table=quartier_a.table, periode=periode)
        adresse = reverse("saisie_historique", args=[quartier_a.slug, periode.code])
        titres.append(_titre(client, adresse))
    assert titres == [
        "Historique — Quartier A — T3 2024 · ÉvalPIC",
        "Historique — Quartier A — T4 2024 · ÉvalPIC",
    ]


def test_le_bilan_et_la_saisie_d_une_periode_ont_chacun_leur_titre(client, alice, quartier_a):
    client.force_login(alice)
    periode = periode_du_trimestre(2024, 4)
    saisie = _titre(client, reverse("saisie_formulaire", args=[quartier_a.slug, periode.code]))
    francais, anglais = (
        _titre(client, reverse("bilan_detail", args=[_bilan(quartier_a, langue).pk]))
        for langue in ("fr", "en")
    )
    assert saisie == "Saisie trimestrielle — Quartier A — T4 2024 · ÉvalPIC"
    assert francais == "Bilan — Quartier A — T4 2024 (Français) · ÉvalPIC"
    assert anglais == "Bilan — Quartier A — T4 2024 (Anglais) · ÉvalPIC"


def test_les_titres_en_anglais(client, alice, quartier_a):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    periode = periode_du_trimestre(2024, 4)
    Saisie.objects.create(table=quartier_a.table, periode=periode)
    historique = reverse("saisie_historique", args=[quartier_a.slug, periode.code])
    bilan = reverse("bilan_detail", args=[_bilan(quartier_a, "en").pk])
    assert _titre(client, historique) == "History — Quartier A — Q4 2024 · ÉvalPIC"
    assert _titre(client, bilan) == "Report — Quartier A — Q4 2024 (English) · ÉvalPIC"


def test_chaque_version_de_la_theorie_du_changement_a_son_titre(client, alice, quartier_a):
    """Une version ancienne (`?version=1`) et celle en vigueur n'ont plus le même titre; un
    quartier qui n'a qu'une version garde le titre court."""
    client.force_login(alice)
    adresse = reverse("theorie_du_changement", args=[quartier_a.slug])
    StrategieFactory(quartier=quartier_a, version=1, statut="en_vigueur")
    assert _titre(client, adresse) == "Théorie du changement — Quartier A · ÉvalPIC"
    StrategieDeChangement.objects.filter(quartier=quartier_a).update(statut="archivee")
    StrategieFactory(quartier=quartier_a, version=2, statut="en_vigueur")
    assert [_titre(client, adresse), _titre(client, adresse + "?version=1")] == [
        "Théorie du changement — Quartier A — v2 · ÉvalPIC",
        "Théorie du changement — Quartier A — v1 · ÉvalPIC",
    ]
