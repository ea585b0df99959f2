"""Un texte obligatoire fait de seuls caractères invisibles (espace sans chasse U+200B,
marque de direction U+202E, caractère de contrôle) est vide : `str.strip()` ne les retirait
pas, et un motif de renvoi, une raison « non disponible », un apprentissage, un nom de
partenaire ou de jeton s'enregistrait invisible (`evalpic.textes.texte_saisi`)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from evalpic.textes import texte_saisi
from indicateurs.models import Apprentissage, Saisie, StatutPeriode, StatutSaisie
from indicateurs.services import ajouter_apprentissage, renvoyer_saisie
from indicateurs.validation import DonneeValeur, verifier_donnee
from quartiers.jetons import creer_jeton
from quartiers.models import Partenaire
from quartiers.services_registre import DonneesPartenaire, inscrire_partenaire
from tests.factories import IndicateurSuiviFactory, SecteurFactory, periode_du_trimestre

INVISIBLES = ["\u200b", " \u200b\u200b ", "\u202e", "\x01\x02", "\u2028", "\U000e0001"]


@pytest.mark.parametrize("texte", INVISIBLES)
def test_un_texte_invisible_est_vide(texte):
    assert texte_saisi(texte) == ""


@pytest.mark.parametrize("texte", ["a", " Défi \u200b", "\u200bx", "٣", "🙂"])
def test_un_texte_visible_reste_tel_quel_sans_ses_espaces(texte):
    assert texte_saisi(texte) == texte.strip()


def test_une_raison_invisible_n_explique_pas_une_absence():
    erreurs = verifier_donnee("nombre", DonneeValeur(non_disponible=True, raison="\u200b"))
    assert erreurs == {"raison": ["Expliquez pourquoi la valeur n'est pas disponible."]}


@pytest.mark.django_db
def test_un_motif_invisible_ne_renvoie_pas_la_saisie(quartier_a, eve):
    IndicateurSuiviFactory(quartier=quartier_a)
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    saisie = Saisie.objects.create(
        table=quartier_a.table, periode=periode, statut=StatutSaisie.SOUMISE
    )
    with pytest.raises(ValidationError) as refus:
        renvoyer_saisie(saisie=saisie, auteur=eve, version=saisie.version, motif="\u200b ")
    assert refus.value.message_dict == {"motif": ["Indiquez le motif."]}
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.SOUMISE


@pytest.mark.django_db
def test_un_apprentissage_invisible_n_est_pas_ajoute(quartier_a, alice):
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    with pytest.raises(ValidationError) as refus:
        ajouter_apprentissage(
            auteur=alice,
            quartier=quartier_a,
            periode=periode,
            categorie="defis",
            texte_fr="\u200b",
            texte_en="\u202e",
        )
    assert set(refus.value.message_dict) == {"texte_fr", "texte_en"}
    assert not Apprentissage.objects.exists()


@pytest.mark.django_db
def test_un_jeton_au_nom_invisible_n_est_pas_cree(alice):
    with pytest.raises(ValidationError) as refus:
        creer_jeton(utilisateur=alice, nom="\u200b")
    assert "nom" in refus.value.message_dict
    assert not alice.jetons.exists()


@pytest.mark.django_db
def test_un_partenaire_au_nom_invisible_n_est_pas_inscrit(quartier_a, alice):
    with pytest.raises(ValidationError) as refus:
        inscrire_partenaire(
            auteur=alice,
            quartier=quartier_a,
            role="membre",
            debut=datetime.date(2024, 1, 1),
            nouveau=DonneesPartenaire(nom="\u200b", secteur=SecteurFactory()),
        )
    assert "nom" in refus.value.message_dict
    assert not Partenaire.objects.exists()
