"""Import et périodes : l'import reprend l'historique des périodes fermées, jamais une période à
venir — ni par la vérification (problème de la ligne), ni par les services qu'il appelle."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicateurs import modele_import, services
from indicateurs.models import EvenementSaisie, Saisie, StatutPeriode, Valeur
from indicateurs.validation import DonneeValeur
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db


def compte() -> tuple[int, int, int]:
    return Valeur.objects.count(), EvenementSaisie.objects.count(), Saisie.objects.count()


@pytest.fixture
def a_venir(db):
    return periode_du_trimestre(2030, 1, statut=StatutPeriode.A_VENIR)


@pytest.fixture
def url(quartier_a):
    return reverse("import_valeurs", kwargs={"slug": quartier_a.slug})


# --- Services -----------------------------------------------------------------------------------


def test_periode_fermee_permise_n_ouvre_pas_une_periode_a_venir(table_a, alice, a_venir):
    with pytest.raises(ValidationError) as erreur:
        services.saisie_pour(
            table=table_a, periode=a_venir, auteur=alice, periode_fermee_permise=True
        )
    assert "periode" in erreur.value.message_dict
    assert compte() == (0, 0, 0)


def test_enregistrer_dans_une_periode_a_venir_est_refuse_meme_pour_l_import(
    table_a, alice, indicateurs_a, a_venir
):
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_saisie(
            table=table_a,
            periode=a_venir,
            auteur=alice,
            version=1,
            donnees={indicateurs_a["menages"].pk: DonneeValeur(valeur=Decimal(5))},
            periode_fermee_permise=True,
        )
    assert "periode" in erreur.value.message_dict
    assert compte() == (0, 0, 0)


def test_une_periode_fermee_s_ecrit_toujours_pour_l_import(table_a, alice, indicateurs_a):
    fermee = periode_du_trimestre(2021, 1, statut=StatutPeriode.FERMEE)
    resultat = services.enregistrer_saisie(
        table=table_a,
        periode=fermee,
        auteur=alice,
        version=1,
        donnees={indicateurs_a["menages"].pk: DonneeValeur(valeur=Decimal(5))},
        periode_fermee_permise=True,
    )
    assert resultat.modifications == 1


# --- Import -------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["verifier", "importer"])
def test_l_import_refuse_une_periode_a_venir_ligne_par_ligne(
    client, alice, url, indicateurs_a, periode, a_venir, action
):
    contenu = b"periode;indicateur;valeur\n2025-T1;menages;120\n2030-T1;menages;130\n"
    client.force_login(alice)
    reponse = client.post(
        url, {"fichier": SimpleUploadedFile("valeurs.csv", contenu), "action": action}
    )
    assert reponse.status_code == 400
    problemes = [(p.ligne, p.colonne, p.message) for p in reponse.context["problemes"]]
    assert [(ligne, colonne) for ligne, colonne, _m in problemes] == [(3, "periode")]
    assert "à venir" in problemes[0][2]
    assert compte() == (0, 0, 0)


def test_le_modele_ne_propose_pas_une_periode_a_venir(a_venir):
    """Sans période ouverte, le modèle se préremplit de la dernière fermée, que l'import
    accepte, et non de la prochaine, qu'il refuse."""
    fermee = periode_du_trimestre(2029, 4, statut=StatutPeriode.FERMEE)
    assert modele_import.periode_du_modele() == fermee
