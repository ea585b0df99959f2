"""Les dates en toutes lettres : « 1er » le premier du mois en français, comme l'écrit la
typographie française (le format de Django écrit « 1 juillet »), partout où une date s'écrit en
toutes lettres — couverture du bilan, échéances de la boîte et du formulaire, courriels de rappel,
adoption d'une stratégie, message d'une saisie changée pendant qu'on la remplissait."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import translation

from evalpic.dates import date_heure_longue, date_longue

J = datetime.date
MONTREAL = zoneinfo.ZoneInfo("America/Montreal")


@pytest.mark.parametrize(
    ("langue", "jour", "attendu"),
    [
        ("fr", J(2026, 7, 1), "1er juillet 2026"),
        ("fr", J(2026, 1, 1), "1er janvier 2026"),
        ("fr", J(2026, 7, 2), "2 juillet 2026"),
        ("fr", J(2026, 7, 11), "11 juillet 2026"),
        ("fr", J(2026, 7, 21), "21 juillet 2026"),
        ("fr", J(2026, 7, 31), "31 juillet 2026"),
        ("en", J(2026, 7, 1), "July 1, 2026"),
        ("en", J(2026, 10, 11), "Oct. 11, 2026"),
    ],
)
def test_une_date_en_toutes_lettres(langue, jour, attendu):
    with translation.override(langue):
        assert date_longue(jour) == attendu


def test_rien_pour_une_date_absente():
    assert date_longue(None) == ""


@pytest.mark.parametrize(
    ("langue", "attendu"), [("fr", "1er avril 2026 00:30"), ("en", "April 1, 2026, 12:30 a.m.")]
)
def test_un_instant_s_ecrit_a_l_heure_de_montreal(settings, langue, attendu):
    settings.TIME_ZONE = "America/Montreal"
    # 4 h 30 UTC le 1er avril : 0 h 30 à Montréal, encore le 1er (et non le 31 mars).
    moment = datetime.datetime(2026, 4, 1, 4, 30, tzinfo=datetime.UTC)
    with translation.override(langue):
        assert date_heure_longue(moment) == attendu


def test_le_filtre_ecrit_une_date_et_heure_a_l_heure_locale(settings):
    settings.TIME_ZONE = "America/Montreal"
    gabarit = Template("{% load evalpic %}{{ moment|date_longue }}")
    moment = datetime.datetime(2026, 5, 1, 3, 0, tzinfo=datetime.UTC)  # 30 avril, 23 h, à Montréal
    with translation.override("fr"):
        assert gabarit.render(Context({"moment": moment})) == "30 avril 2026"


def test_la_date_du_jour_est_celle_de_montreal(settings, monkeypatch):
    settings.TIME_ZONE = "America/Montreal"
    from django.utils import timezone

    moment = datetime.datetime(2026, 7, 1, 3, 0, tzinfo=datetime.UTC)  # 30 juin, 23 h, à Montréal
    monkeypatch.setattr(timezone, "now", lambda: moment)
    gabarit = Template("{% load evalpic %}{% date_du_jour as jour %}{{ jour|date_longue }}")
    with translation.override("fr"):
        assert gabarit.render(Context()) == "30 juin 2026"


@pytest.mark.parametrize("gabarit", ["emails/rappel_saisie_sujet.txt", "emails/rappel_saisie.txt"])
def test_le_rappel_ecrit_le_premier_du_mois_1er(gabarit):
    from django.template.loader import render_to_string

    contexte = {
        "nom": "Alice",
        "periode": "T1 2026",
        "quartier": "Saint-Michel",
        "echeance": J(2026, 5, 1),
        "en_retard": False,
        "motif_renvoi": "",
        "adresse": "https://evalpic.example/",
    }
    with translation.override("fr"):
        texte = render_to_string(gabarit, contexte)
    assert "1er mai 2026" in texte
    assert "le 1 mai" not in texte
