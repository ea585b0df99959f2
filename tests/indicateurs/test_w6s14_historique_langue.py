"""L'historique d'une saisie garde des données, pas des phrases (session 14, W6) : chaque page
le décrit dans la langue de qui lit. Avant, `services._transition` gardait le libellé du statut
et `services.decrire` la valeur décrite dans la langue de qui agissait : une coordination
anglophone faisait lire « submitted », « not available (…) — comment: … » sur la page
française, et l'inverse."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from evalpic import integrite
from indicateurs import services
from indicateurs.models import EvenementSaisie, TypeEvenement
from indicateurs.validation import DonneeValeur

pytestmark = pytest.mark.django_db


def _historique():
    """Le module (importé dans chaque test : ceux du service et de la page tournent aussi sur le
    code d'avant, qui ne l'avait pas)."""
    return importlib.import_module("indicateurs.historique")


def _saisie_en_anglais(table, periode, indicateurs, alice, eve):
    """Alice (en anglais) enregistre et soumet, Ève (en anglais) valide."""
    donnees = {
        indicateurs["menages"].pk: DonneeValeur(valeur=Decimal("93200"), commentaire="Recensement"),
        indicateurs["taux"].pk: DonneeValeur(non_disponible=True, raison="Enquête reportée"),
        indicateurs["politique"].pk: DonneeValeur(texte="12"),
    }
    with translation.override("en"):
        saisie = services.enregistrer_saisie(
            table=table, periode=periode, auteur=alice, version=1, donnees=donnees
        ).saisie
        saisie = services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)
        return services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)


def test_les_etapes_gardent_le_code_du_statut(table_a, periode, indicateurs_a, alice, eve):
    saisie = _saisie_en_anglais(table_a, periode, indicateurs_a, alice, eve)
    etapes = list(
        saisie.evenements.exclude(type_evenement=TypeEvenement.VALEUR)
        .order_by("pk")
        .values_list("type_evenement", "ancienne", "nouvelle")
    )
    # Avant : ("soumission", "draft", "submitted"), ("validation", "submitted", "validated").
    assert etapes == [
        ("creation", "", ""),
        ("soumission", "brouillon", "soumise"),
        ("validation", "soumise", "validee"),
    ]


@pytest.mark.parametrize(
    ("langue", "attendus", "absents"),
    [
        (
            "fr",
            [
                "93\u00a0200 — commentaire : Recensement",
                "non disponible (Enquête reportée)",
                "<td>soumise</td>",
                "<td>validée</td>",
            ],
            ["comment:", "not available", "submitted", "validated"],
        ),
        (
            "en",
            [
                "93,200 — comment: Recensement",
                "not available (Enquête reportée)",
                "<td>submitted</td>",
                "<td>validated</td>",
            ],
            ["commentaire :", "non disponible", ">soumise<", ">validée<"],
        ),
    ],
)
def test_la_page_d_historique_parle_la_langue_de_qui_lit(
    client, table_a, periode, indicateurs_a, alice, eve, langue, attendus, absents
):
    _saisie_en_anglais(table_a, periode, indicateurs_a, alice, eve)
    client.force_login(eve)
    client.cookies["django_language"] = langue
    adresse = reverse(
        "saisie_historique", kwargs={"slug": table_a.quartier.slug, "code": periode.code}
    )
    contenu = client.get(adresse).content.decode()
    for attendu in attendus:
        assert attendu in contenu, attendu
    for absent in absents:
        assert absent not in contenu, absent
    assert "<td>12</td>" in contenu  # le texte « 12 » d'un indicateur en texte reste « 12 »


def test_l_integrite_reconnait_l_historique_en_donnees(table_a, periode, indicateurs_a, alice, eve):
    _saisie_en_anglais(table_a, periode, indicateurs_a, alice, eve)
    assert integrite.verifier_valeurs() == []


@pytest.mark.parametrize(
    "donnee",
    [
        DonneeValeur(valeur=Decimal("93200")),
        DonneeValeur(valeur=Decimal("-3.80")),
        DonneeValeur(texte="Adoptée"),
        DonneeValeur(texte="12"),  # un texte qui ressemble à un nombre
        DonneeValeur(texte="{pas du JSON"),
        DonneeValeur(texte='{"texte": "x"}'),
        DonneeValeur(texte="non disponible (rien)"),  # un texte qui ressemble à une absence
        DonneeValeur(texte="a — commentaire : b"),
        DonneeValeur(non_disponible=True, raison="Enquête"),
        DonneeValeur(valeur=Decimal("4"), commentaire="source — commentaire : x"),
        DonneeValeur(commentaire="seulement un commentaire"),
    ],
)
def test_ce_que_l_historique_garde_se_relit_a_l_identique(donnee):
    historique = _historique()
    relue = historique.lire(historique.consigner(donnee))
    assert (relue.valeur, relue.texte, relue.non_disponible, relue.raison, relue.commentaire) == (
        donnee.valeur.normalize() if donnee.valeur is not None else None,
        donnee.texte,
        donnee.non_disponible,
        donnee.raison,
        donnee.commentaire,
    )


def test_un_nombre_ou_un_texte_seuls_restent_lisibles_tels_quels():
    consigner = _historique().consigner
    assert consigner(DonneeValeur(valeur=Decimal("120.0"))) == "120"
    assert consigner(DonneeValeur(texte="Adoptée")) == "Adoptée"
    assert consigner(None) == consigner(DonneeValeur()) == ""


@pytest.mark.parametrize(
    ("ecrit", "unite", "francais", "anglais"),
    [
        ("12 — comment: source", "nombre", "12 — commentaire : source", "12 — comment: source"),
        (
            "not available (Enquête)",
            "nombre",
            "non disponible (Enquête)",
            "not available (Enquête)",
        ),
        ("1234.5", "nombre", "1\u00a0234,5", "1,234.5"),
        ("12", "texte", "12", "12"),
    ],
)
def test_une_ligne_d_avant_se_lit_dans_la_langue_de_qui_lit(ecrit, unite, francais, anglais):
    decrire_pour_l_historique = _historique().decrire_pour_l_historique
    indicateur = type("I", (), {"unite": unite})()
    with translation.override("fr"):
        assert decrire_pour_l_historique(ecrit, indicateur) == francais
    with translation.override("en"):
        assert decrire_pour_l_historique(ecrit, indicateur) == anglais


def test_la_migration_recrit_les_lignes_d_avant(table_a, periode, indicateurs_a, alice):
    migration = importlib.import_module("indicateurs.migrations.0014_historique_en_donnees")
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    lignes = {
        "menages": ("", "93200 — comment: Recensement"),
        "taux": ("12.5", "non disponible (Enquête reportée)"),
        "politique": ("", "12"),
    }
    for code, (ancienne, nouvelle) in lignes.items():
        EvenementSaisie.objects.create(
            saisie=saisie,
            type_evenement=TypeEvenement.VALEUR,
            indicateur=indicateurs_a[code],
            ancienne=ancienne,
            nouvelle=nouvelle,
            version=1,
        )
    etape = EvenementSaisie.objects.create(
        saisie=saisie,
        type_evenement="validation",
        ancienne="submitted",
        nouvelle="validée",
        version=2,
    )

    migration.en_donnees(apps, None)
    valeurs = dict(
        EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR).values_list(
            "indicateur__code", "nouvelle"
        )
    )
    assert valeurs == {
        "menages": '{"commentaire": "Recensement", "valeur": "93200"}',
        "taux": '{"non_disponible": true, "raison": "Enquête reportée"}',
        "politique": '{"texte": "12"}',
    }
    etape.refresh_from_db()
    assert (etape.ancienne, etape.nouvelle) == ("soumise", "validee")
    # Une seconde fois : rien ne change.
    migration.en_donnees(apps, None)
    assert (
        dict(
            EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR).values_list(
                "indicateur__code", "nouvelle"
            )
        )
        == valeurs
    )

    migration.en_phrases_francaises(apps, None)
    assert dict(
        EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR).values_list(
            "indicateur__code", "nouvelle"
        )
    ) == {
        "menages": "93200 — commentaire : Recensement",
        "taux": "non disponible (Enquête reportée)",
        "politique": "12",
    }
    etape.refresh_from_db()
    assert (etape.ancienne, etape.nouvelle) == ("soumise", "validée")
