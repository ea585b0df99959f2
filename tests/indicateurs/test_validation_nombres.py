"""Des nombres d'écriture absurde (« 1e1000000 », « 0e-99999 », « 0. » suivi de 17 000 zéros) :
un message clair au lieu d'une exception decimal (500), et une valeur acceptée qui tient dans
la colonne (DecimalField(14, 4)) au lieu d'une erreur de PostgreSQL. La lecture est partagée
par le formulaire trimestriel, l'import et l'API (indicateurs.validation.analyser). Un exposant
est refusé (tests/indicateurs/test_w1_exposants.py) : la raison de refuser la valeur elle-même
(trop grande, décimales, bornes de l'unité) suit le message de l'exposant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicateurs.models import Valeur
from indicateurs.validation import analyser, ecrire_pour_saisie, verifier_nombre
from tests.indicateurs.test_vues_saisie import formulaire

UNITES_NUMERIQUES = ["nombre", "pourcentage", "dollars", "echelle"]
ZEROS = "0." + "0" * 17000


def _tient_dans_la_colonne(nombre: Decimal) -> bool:
    """DecimalField(max_digits=14, decimal_places=4), écrit tel quel dans la requête SQL."""
    _signe, chiffres, exposant = nombre.as_tuple()
    return -4 <= exposant <= 0 and len(chiffres) <= 14


def _exposant(brut: str) -> str:
    return f"« {brut} » est en écriture scientifique : écrivez le nombre sans exposant."


@pytest.mark.parametrize("unite", UNITES_NUMERIQUES)
@pytest.mark.parametrize("brut", ["1e1000000", "-1e1000000", "9e999999", "1E+9999999999"])
def test_un_exposant_enorme_est_trop_grand(unite, brut):
    with pytest.raises(ValidationError) as erreur:
        analyser(unite, brut)
    assert erreur.value.messages == [_exposant(brut), "La valeur est trop grande."]


@pytest.mark.parametrize(
    ("unite", "message"),
    [
        ("nombre", "Entrez un nombre entier (sans décimales)."),
        ("pourcentage", "a plus de deux décimales : arrondissez-la, par exemple à 0."),
        ("dollars", "a plus de deux décimales : arrondissez-la, par exemple à 0."),
        ("echelle", "Sur l'échelle, la valeur est comprise entre 1 et 5."),
    ],
)
@pytest.mark.parametrize("brut", ["1e-999999999", "5e-1000000", "1e-3"])
def test_un_exposant_tres_negatif_est_refuse_avec_le_message_de_l_unite(unite, message, brut):
    with pytest.raises(ValidationError) as erreur:
        analyser(unite, brut)
    exposant, recu = erreur.value.messages
    assert exposant == _exposant(brut)
    assert recu.endswith(message)


def test_trente_chiffres_apres_la_virgule_ne_sont_pas_arrondis_en_silence():
    with pytest.raises(ValidationError) as erreur:
        analyser("dollars", "1." + "0" * 28 + "1")
    assert erreur.value.messages == [
        "« 1,00000000000000000000000000001 » a plus de deux décimales : arrondissez-la, par "
        "exemple à 1."
    ]


def test_un_exposant_hors_de_portee_n_est_pas_un_nombre():
    with pytest.raises(ValidationError) as erreur:
        analyser("nombre", "1e-999999999999999999999")
    assert erreur.value.messages == ["« 1e-999999999999999999999 » n'est pas un nombre."]


@pytest.mark.parametrize(
    ("unite", "brut", "attendu"),
    [
        ("pourcentage", "-0", Decimal("0")),
        ("pourcentage", ZEROS, Decimal("0")),
        ("nombre", "12." + "0" * 17000, Decimal("12")),
        ("dollars", "12.5" + "0" * 500, Decimal("12.5")),
    ],
)
def test_une_ecriture_longue_est_ramenee_a_une_valeur_qui_tient_dans_la_colonne(
    unite, brut, attendu
):
    lue = analyser(unite, brut)
    assert lue == attendu
    assert _tient_dans_la_colonne(lue), repr(lue)


@pytest.mark.parametrize(
    ("unite", "brut", "propose"),
    [
        ("pourcentage", "0e-99999", Decimal("0")),
        ("pourcentage", "0E-20000", Decimal("0")),
        ("nombre", "0e+999999999999", Decimal("0")),
        ("nombre", "1e5", Decimal("100000")),
        ("dollars", "9.99e9", Decimal("9990000000")),
    ],
)
def test_un_exposant_est_refuse_avec_la_valeur_qui_tiendrait_dans_la_colonne(unite, brut, propose):
    """Avant, ces écritures étaient lues (« 1e5 » → 100000) : un exposant est maintenant refusé
    partout, la valeur sans exposant proposée, écrite courte (« 0 », pas 99 999 zéros)."""
    with pytest.raises(ValidationError) as erreur:
        analyser(unite, brut)
    assert erreur.value.messages == [
        f"« {brut} » est en écriture scientifique : écrivez le nombre sans exposant, soit "
        f"{ecrire_pour_saisie(propose)}."
    ]
    assert _tient_dans_la_colonne(verifier_nombre(unite, Decimal(brut)))


@pytest.mark.parametrize(("brut", "attendu"), [("12", "12"), ("45.5", "45.5"), ("12.50", "12.50")])
def test_une_ecriture_usuelle_garde_sa_forme(brut, attendu):
    assert str(analyser("dollars", brut)) == attendu


@pytest.mark.parametrize("nombre", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_verifier_nombre_refuse_ce_qui_n_est_pas_un_nombre(nombre):
    # L'import et les services passent des Decimal déjà lus : jamais d'exception decimal.
    with pytest.raises(ValidationError) as erreur:
        verifier_nombre("nombre", Decimal(nombre))
    assert "n'est pas un nombre" in erreur.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("brut", "statut", "stockee", "erreurs"),
    [
        ("1e1000000", 400, None, [_exposant("1e1000000"), "La valeur est trop grande."]),
        (
            "0e-99999",
            400,
            None,
            [
                "« 0e-99999 » est en écriture scientifique : écrivez le nombre sans exposant, soit 0."
            ],
        ),
        ("0." + "0" * 1990, 302, Decimal("0"), None),  # le champ du formulaire : 2 000 caractères
    ],
)
def test_le_formulaire_trimestriel(
    client, alice, quartier_a, periode, indicateurs_a, brut, statut, stockee, erreurs
):
    client.force_login(alice)
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    pk = indicateurs_a["taux"].pk
    reponse = client.post(url, formulaire(indicateurs_a, **{f"v{pk}": brut}))
    assert reponse.status_code == statut
    if statut == 400:
        assert reponse.context["form"].errors[f"v{pk}"] == erreurs
        assert not Valeur.objects.exists()
    else:
        assert Valeur.objects.get(indicateur_id=pk).valeur_numerique == stockee
