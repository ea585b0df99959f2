"""Une troisième décimale est refusée avec la valeur lue et son arrondi au centième, écrits dans
la langue de la page et tels que la lecture les accepte (« 33,333 » : arrondissez-la, par
exemple à 33,33), au lieu du seul « Entrez au plus deux décimales. »."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from indicateurs.validation import analyser


def refus(unite: str, brut: str) -> str:
    with pytest.raises(ValidationError) as erreur:
        analyser(unite, brut)
    (message,) = erreur.value.messages
    return message


def test_le_message_cite_la_valeur_lue_et_propose_son_arrondi():
    assert refus("pourcentage", "33.333") == (
        "« 33,333 » a plus de deux décimales : arrondissez-la, par exemple à 33,33."
    )


def test_l_arrondi_se_fait_au_plus_proche():
    assert refus("dollars", "0.005 $").endswith("par exemple à 0,01.")


@pytest.mark.parametrize(
    ("langue", "lue", "arrondi"),
    [("fr", "12\xa0345,678", "12\xa0345,68"), ("en", "12345.678", "12345.68")],
)
def test_les_nombres_du_message_sont_dans_la_langue_et_se_relisent(langue, lue, arrondi):
    with translation.override(langue):
        message = refus("dollars", "12345.678")
        assert lue in message and message.endswith(f" {arrondi}.")
        assert str(analyser("dollars", arrondi)) == "12345.68"  # l'arrondi proposé passe


def test_une_ecriture_sans_fin_reste_courte():
    # Écrit avec un exposant, le nombre est refusé pour lui d'abord
    # (tests/indicateurs/test_w1_exposants.py); la raison qui suit, ses décimales, reste courte.
    with pytest.raises(ValidationError) as erreur:
        analyser("dollars", "1e-999999999")
    _exposant, message = erreur.value.messages
    assert "0,000000000000000000000000000000…" in message
    assert len(message) < 150


@pytest.mark.django_db
def test_le_formulaire_montre_le_message_a_cote_du_champ(client, alice, periode, indicateurs_a):
    taux = indicateurs_a["taux"]
    client.force_login(alice)
    adresse = reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": periode.code})
    reponse = client.post(
        adresse, {"version": "1", f"v{taux.pk}": "33.333", "action": "enregistrer"}
    )
    assert reponse.status_code == 400
    assert reponse.context["form"].errors[f"v{taux.pk}"] == [
        "« 33,333 » a plus de deux décimales : arrondissez-la, par exemple à 33,33."
    ]
    assert re.search(r'value="33\.333"', reponse.content.decode())  # ce qui a été tapé reste
