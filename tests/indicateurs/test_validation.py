"""Lecture des valeurs selon l'unité et repérage des valeurs inhabituelles (sans base)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicateurs.validation import DonneeValeur, analyser, signaler_aberration, verifier_donnee


@pytest.mark.parametrize(
    ("unite", "brut", "attendu"),
    [
        ("nombre", "1 200", Decimal("1200")),
        ("nombre", "1\u202f200", Decimal("1200")),
        ("nombre", "  ", None),
        ("pourcentage", "42,5", Decimal("42.5")),
        ("pourcentage", "100 %", Decimal("100")),
        ("dollars", "1 234,56 $", Decimal("1234.56")),
        ("echelle", "3.5", Decimal("3.5")),
        ("indice", "1.386", None),
        ("texte", "Politique adoptée", "Politique adoptée"),
    ],
)
def test_analyser_accepte_les_ecritures_usuelles(unite, brut, attendu):
    if unite == "indice":
        with pytest.raises(ValidationError):  # trois décimales : refusé à la saisie
            analyser(unite, brut)
        return
    assert analyser(unite, brut) == attendu


@pytest.mark.parametrize(
    ("unite", "brut", "extrait"),
    [
        ("nombre", "abc", "n'est pas un nombre"),
        ("nombre", "1,5", "entier"),
        ("nombre", "-3", "négatif"),
        ("nombre", "NaN", "n'est pas un nombre"),
        ("nombre", "Infinity", "n'est pas un nombre"),
        ("nombre", "1e400", "trop grande"),
        ("pourcentage", "150", "entre 0 et 100"),
        ("pourcentage", "-1", "entre 0 et 100"),
        ("dollars", "10.555", "deux décimales"),
        ("echelle", "0", "entre 1 et 5"),
        ("echelle", "6", "entre 1 et 5"),
        ("texte", "x" * 2001, "2000"),
    ],
)
def test_analyser_refuse_avec_un_message_clair(unite, brut, extrait):
    with pytest.raises(ValidationError) as erreur:
        analyser(unite, brut)
    assert extrait in " ".join(erreur.value.messages)


def test_verifier_donnee_exige_une_raison_et_refuse_valeur_et_absence():
    erreurs = verifier_donnee("nombre", DonneeValeur(valeur=Decimal(1), non_disponible=True))
    assert set(erreurs) == {"valeur", "raison"}
    assert (
        verifier_donnee("nombre", DonneeValeur(non_disponible=True, raison="Enquête reportée"))
        == {}
    )


def test_verifier_donnee_controle_le_lien():
    assert "preuve_url" in verifier_donnee("nombre", DonneeValeur(preuve_url="javascript:alert(1)"))
    assert (
        verifier_donnee("nombre", DonneeValeur(preuve_url="https://exemple.org/rapport.pdf")) == {}
    )


SERIE = [Decimal(v) for v in (100, 104, 98, 102, 101)]


def test_une_valeur_dans_la_serie_n_est_pas_signalee():
    assert signaler_aberration(SERIE, Decimal(103)) is None


def test_une_valeur_loin_de_la_mediane_est_signalee():
    assert "médiane" in signaler_aberration(SERIE, Decimal(400))


def test_un_saut_relatif_est_signale_meme_sur_une_courte_serie(settings):
    settings.EVALPIC_ABERRATION_SAUT = 0.5
    assert "écart" in signaler_aberration([Decimal(10)], Decimal(16))
    assert signaler_aberration([Decimal(10)], Decimal(14)) is None


def test_sans_historique_rien_n_est_signale():
    assert signaler_aberration([], Decimal(1_000_000)) is None
    assert signaler_aberration(SERIE, None) is None
