"""Le circuit de la saisie, contre la vraie base : chaque transition, permise ou refusée."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from indicateurs import services
from indicateurs.models import (
    Apprentissage,
    EvenementSaisie,
    Saisie,
    StatutPeriode,
    StatutSaisie,
    TypeEvenement,
    Valeur,
)
from indicateurs.validation import DonneeValeur
from tests.factories import ChangementViseFactory, IndicateurSuiviFactory, StrategieFactory

pytestmark = pytest.mark.django_db


def complet(ind) -> dict:
    return {
        ind["menages"].pk: DonneeValeur(valeur=Decimal("120")),
        ind["taux"].pk: DonneeValeur(valeur=Decimal("42.5")),
        ind["politique"].pk: DonneeValeur(non_disponible=True, raison="Pas encore adoptée"),
    }


@pytest.fixture
def saisie(table_a, periode, alice):
    return services.saisie_pour(table=table_a, periode=periode, auteur=alice)


@pytest.fixture
def soumise(saisie, alice, indicateurs_a):
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=complet(indicateurs_a)
    )
    return services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)


def etat(saisie) -> tuple:
    saisie.refresh_from_db()
    valeurs = sorted(
        Valeur.objects.filter(saisie=saisie).values_list(
            "indicateur__code", "valeur_numerique", "valeur_texte", "non_disponible"
        )
    )
    return saisie.statut, saisie.version, valeurs, saisie.evenements.count()


# --- Enregistrer ----------------------------------------------------------------------------


def test_alice_enregistre_un_brouillon_avec_historique(saisie, alice, indicateurs_a):
    resultat = services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=complet(indicateurs_a)
    )
    assert resultat.modifications == 3
    assert saisie.version == 2
    valeur = Valeur.objects.get(saisie=saisie, indicateur=indicateurs_a["menages"])
    assert valeur.valeur_numerique == Decimal("120")
    evenement = saisie.evenements.get(indicateur=indicateurs_a["menages"])
    assert (evenement.auteur, evenement.ancienne, evenement.nouvelle) == (alice, "", "120")


def test_une_valeur_inchangee_ne_cree_pas_d_evenement(saisie, alice, indicateurs_a):
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=complet(indicateurs_a)
    )
    resultat = services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=2, donnees=complet(indicateurs_a)
    )
    assert resultat.modifications == 0


def test_chaque_changement_de_valeur_est_dans_l_historique(saisie, alice, ada, indicateurs_a):
    menages = indicateurs_a["menages"].pk
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees={menages: DonneeValeur(valeur=Decimal(10))}
    )
    services.enregistrer_saisie(
        saisie=saisie,
        auteur=ada,
        version=2,
        donnees={menages: DonneeValeur(valeur=Decimal(12))},
        motif="Correction d'une faute de frappe",
    )
    changements = list(
        saisie.evenements.filter(type_evenement=TypeEvenement.VALEUR)
        .order_by("created_at", "pk")
        .values_list("auteur__email", "ancienne", "nouvelle", "motif")
    )
    assert changements == [
        ("alice@exemple.org", "", "10", ""),
        ("ada@exemple.org", "10", "12", "Correction d'une faute de frappe"),
    ]


@pytest.mark.parametrize(
    ("code", "donnee", "partie"),
    [
        ("menages", DonneeValeur(valeur=Decimal("-1")), "valeur"),
        ("menages", DonneeValeur(valeur=Decimal("1.5")), "valeur"),
        ("taux", DonneeValeur(valeur=Decimal("150")), "valeur"),
        ("taux", DonneeValeur(texte="beaucoup"), "valeur"),
        ("politique", DonneeValeur(valeur=Decimal(3)), "valeur"),
        ("menages", DonneeValeur(non_disponible=True), "raison"),
        ("menages", DonneeValeur(valeur=Decimal(3), non_disponible=True, raison="x"), "valeur"),
        ("menages", DonneeValeur(valeur=Decimal(3), preuve_url="ftp://x"), "preuve_url"),
    ],
)
def test_une_donnee_invalide_n_enregistre_rien(saisie, alice, indicateurs_a, code, donnee, partie):
    donnees = complet(indicateurs_a) | {indicateurs_a[code].pk: donnee}
    avant = etat(saisie)
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_saisie(saisie=saisie, auteur=alice, version=1, donnees=donnees)
    assert f"{indicateurs_a[code].pk}.{partie}" in erreur.value.message_dict
    assert etat(saisie) == avant


def test_un_indicateur_calcule_ou_non_suivi_ne_se_saisit_pas(saisie, alice, indicateurs_a):
    calcule = indicateurs_a["partenaires"].pk
    with pytest.raises(ValidationError):
        services.enregistrer_saisie(
            saisie=saisie,
            auteur=alice,
            version=1,
            donnees={calcule: DonneeValeur(valeur=Decimal(3))},
        )
    assert not Valeur.objects.filter(saisie=saisie).exists()


# --- Concurrence ----------------------------------------------------------------------------


def test_une_version_perimee_est_refusee_avec_les_valeurs_de_l_autre(
    saisie, alice, ada, indicateurs_a
):
    menages = indicateurs_a["menages"].pk
    services.enregistrer_saisie(
        saisie=saisie, auteur=ada, version=1, donnees={menages: DonneeValeur(valeur=Decimal(7))}
    )
    avant = etat(saisie)
    with pytest.raises(services.ConflitDeVersion) as conflit:
        services.enregistrer_saisie(
            saisie=Saisie.objects.get(pk=saisie.pk),
            auteur=alice,
            version=1,
            donnees={menages: DonneeValeur(valeur=Decimal(9))},
        )
    assert conflit.value.valeurs_actuelles[menages].valeur == Decimal(7)
    assert etat(saisie) == avant


# --- Circuit --------------------------------------------------------------------------------


def test_soumettre_une_saisie_incomplete_est_refuse(saisie, alice, indicateurs_a):
    menages = indicateurs_a["menages"].pk
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees={menages: DonneeValeur(valeur=Decimal(5))}
    )
    with pytest.raises(ValidationError) as erreur:
        services.soumettre_saisie(saisie=saisie, auteur=alice, version=2)
    manquants = set(erreur.value.message_dict)
    assert manquants == {
        f"{indicateurs_a['taux'].pk}.valeur",
        f"{indicateurs_a['politique'].pk}.valeur",
    }
    assert etat(saisie)[0] == StatutSaisie.BROUILLON


def test_soumettre_puis_valider(soumise, alice, eve):
    assert soumise.statut == StatutSaisie.SOUMISE
    assert soumise.soumise_par == alice
    validee = services.valider_saisie(saisie=soumise, auteur=eve, version=soumise.version)
    assert validee.statut == StatutSaisie.VALIDEE
    assert validee.validee_par == eve
    types = list(validee.evenements.values_list("type_evenement", flat=True))
    assert TypeEvenement.SOUMISSION in types and TypeEvenement.VALIDATION in types


def test_valider_un_brouillon_est_refuse(saisie, eve):
    with pytest.raises(ValidationError):
        services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    assert etat(saisie)[0] == StatutSaisie.BROUILLON


def test_une_coordonnatrice_ne_valide_pas_sa_propre_saisie(soumise, alice):
    with pytest.raises(PermissionDenied):
        services.valider_saisie(saisie=soumise, auteur=alice, version=soumise.version)


def test_renvoyer_exige_un_motif_et_le_garde(soumise, eve, alice, indicateurs_a):
    with pytest.raises(ValidationError) as erreur:
        services.renvoyer_saisie(saisie=soumise, auteur=eve, version=soumise.version, motif="  ")
    assert "motif" in erreur.value.message_dict
    renvoyee = services.renvoyer_saisie(
        saisie=soumise, auteur=eve, version=soumise.version, motif="Le taux semble inversé."
    )
    assert renvoyee.statut == StatutSaisie.RENVOYEE
    assert renvoyee.motif_renvoi == "Le taux semble inversé."
    assert renvoyee.evenements.filter(
        type_evenement=TypeEvenement.RENVOI, motif__contains="inversé"
    ).exists()
    # La table corrige et soumet de nouveau.
    taux = indicateurs_a["taux"].pk
    services.enregistrer_saisie(
        saisie=renvoyee,
        auteur=alice,
        version=renvoyee.version,
        donnees={taux: DonneeValeur(valeur=Decimal(57))},
        motif="Le taux était inversé.",
    )
    resoumise = services.soumettre_saisie(saisie=renvoyee, auteur=alice, version=renvoyee.version)
    assert resoumise.statut == StatutSaisie.SOUMISE


def test_modifier_une_saisie_validee_est_refuse(soumise, eve, alice, indicateurs_a):
    validee = services.valider_saisie(saisie=soumise, auteur=eve, version=soumise.version)
    avant = etat(validee)
    with pytest.raises(ValidationError):
        services.enregistrer_saisie(
            saisie=validee,
            auteur=alice,
            version=validee.version,
            donnees={indicateurs_a["menages"].pk: DonneeValeur(valeur=Decimal(1))},
        )
    assert etat(validee) == avant


def test_rouvrir_une_saisie_validee_exige_un_motif(soumise, eve):
    validee = services.valider_saisie(saisie=soumise, auteur=eve, version=soumise.version)
    with pytest.raises(ValidationError):
        services.rouvrir_saisie(saisie=validee, auteur=eve, version=validee.version, motif="")
    rouverte = services.rouvrir_saisie(
        saisie=validee, auteur=eve, version=validee.version, motif="Erreur de source découverte."
    )
    assert rouverte.statut == StatutSaisie.RENVOYEE
    assert rouverte.validee_par is None
    assert rouverte.evenements.filter(type_evenement=TypeEvenement.REOUVERTURE).exists()


def test_rouvrir_une_saisie_soumise_est_refuse(soumise, eve):
    with pytest.raises(ValidationError):
        services.rouvrir_saisie(saisie=soumise, auteur=eve, version=soumise.version, motif="x")


def test_une_transition_sur_une_version_perimee_est_refusee(soumise, eve):
    with pytest.raises(services.ConflitDeVersion):
        services.valider_saisie(saisie=soumise, auteur=eve, version=soumise.version - 1)
    assert etat(soumise)[0] == StatutSaisie.SOUMISE


def test_charlie_recoit_404_sur_la_saisie_du_quartier_a(saisie, charlie, indicateurs_a):
    with pytest.raises(Http404):
        services.enregistrer_saisie(
            saisie=saisie, auteur=charlie, version=1, donnees=complet(indicateurs_a)
        )
    with pytest.raises(Http404):
        services.soumettre_saisie(saisie=saisie, auteur=charlie, version=1)
    assert not Valeur.objects.filter(saisie=saisie).exists()


def test_bob_conseiller_voit_mais_ne_saisit_pas(saisie, bob, indicateurs_a):
    with pytest.raises(PermissionDenied):
        services.enregistrer_saisie(
            saisie=saisie, auteur=bob, version=1, donnees=complet(indicateurs_a)
        )


# --- Période ouverte ----------------------------------------------------------------------------


def test_un_brouillon_d_une_periode_fermee_se_soumet_encore(saisie, alice, indicateurs_a, periode):
    """La fermeture arrête la saisie ordinaire, pas ce qui doit encore aboutir
    (tests/indicateurs/test_periode_fermee.py)."""
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=complet(indicateurs_a)
    )
    periode.statut = StatutPeriode.FERMEE
    periode.save(update_fields=["statut"])
    saisie.refresh_from_db()
    saisie = services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)
    assert saisie.statut == StatutSaisie.SOUMISE


def test_ecrire_dans_une_periode_fermee_seulement_si_on_le_permet(
    saisie, alice, indicateurs_a, periode, quartier_b
):
    periode.statut = StatutPeriode.FERMEE
    periode.save(update_fields=["statut"])
    menages = {indicateurs_a["menages"].pk: DonneeValeur(valeur=Decimal(5))}
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_saisie(saisie=saisie, auteur=alice, version=1, donnees=menages)
    assert "periode" in erreur.value.message_dict
    with pytest.raises(ValidationError):  # plus de nouvelle saisie
        services.saisie_pour(table=quartier_b.table, periode=periode, auteur=alice)
    # L'import reprend l'historique : permise explicitement, une période fermée s'écrit.
    resultat = services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=menages, periode_fermee_permise=True
    )
    assert resultat.modifications == 1


# --- Valeurs inhabituelles ------------------------------------------------------------------


def test_une_valeur_inhabituelle_avertit_et_exige_un_commentaire_pour_soumettre(
    table_a, alice, indicateurs_a, periode
):
    from tests.factories import periode_du_trimestre

    menages = indicateurs_a["menages"].pk
    for trimestre, valeur in zip([1, 2, 3, 4], [100, 104, 98, 102], strict=True):
        ancienne = services.saisie_pour(  # l'historique, dans des périodes fermées
            table=table_a,
            periode=periode_du_trimestre(2024, trimestre),
            periode_fermee_permise=True,
        )
        Valeur.objects.create(saisie=ancienne, indicateur_id=menages, valeur_numerique=valeur)
    saisie = services.saisie_pour(table=table_a, periode=periode)  # 2025-T1, ouverte
    donnees = complet(indicateurs_a) | {menages: DonneeValeur(valeur=Decimal(1000))}
    resultat = services.enregistrer_saisie(saisie=saisie, auteur=alice, version=1, donnees=donnees)
    assert menages in resultat.avertissements  # avertit, n'empêche pas d'enregistrer
    with pytest.raises(ValidationError) as erreur:
        services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)
    assert f"{menages}.valeur" in erreur.value.message_dict
    donnees[menages] = DonneeValeur(
        valeur=Decimal(1000), commentaire="Nouveau programme de distribution."
    )
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=saisie.version, donnees=donnees
    )
    assert (
        services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version).statut
        == "soumise"
    )
    assert not EvenementSaisie.objects.filter(
        saisie=saisie, indicateur__isnull=True, type_evenement="valeur"
    ).exists()


# --- Apprentissages -------------------------------------------------------------------------


def test_ajouter_un_apprentissage_selon_le_droit_de_commenter(
    quartier_a, periode, alice, bob, charlie
):
    appris = services.ajouter_apprentissage(
        auteur=bob,
        quartier=quartier_a,
        periode=periode,
        categorie="defis",
        texte_fr="Peu de bénévoles.",
    )
    assert appris.auteur == bob
    with pytest.raises(Http404):
        services.ajouter_apprentissage(
            auteur=charlie, quartier=quartier_a, periode=periode, categorie="defis", texte_fr="x"
        )
    with pytest.raises(ValidationError) as erreur:
        services.ajouter_apprentissage(
            auteur=alice, quartier=quartier_a, periode=periode, categorie="defis", texte_fr="  "
        )
    assert set(erreur.value.message_dict) == {"texte_fr", "texte_en"}
    assert Apprentissage.objects.count() == 1


# --- Apprentissages : leurs rattachements, une seule règle ----------------------------------------


@pytest.fixture
def rattachements(quartier_a, quartier_b, indicateurs_a) -> dict:
    """De quoi rattacher un apprentissage : ce qui est de A, et ce qui ne l'est pas."""
    ancienne = StrategieFactory(quartier=quartier_a, version=1, statut="archivee")
    en_vigueur = StrategieFactory(quartier=quartier_a, version=2)
    suivi_inactif = IndicateurSuiviFactory(quartier=quartier_a, actif=False)
    return {
        "indicateur_a": indicateurs_a["menages"],
        "indicateur_de_b": IndicateurSuiviFactory(quartier=quartier_b).indicateur,
        "indicateur_plus_suivi": suivi_inactif.indicateur,
        "changement_a": ChangementViseFactory(strategie=en_vigueur),
        "changement_ancien_a": ChangementViseFactory(strategie=ancienne),
        "changement_de_b": ChangementViseFactory(strategie=StrategieFactory(quartier=quartier_b)),
    }


def _apprendre(auteur, quartier, periode, **champs):
    return services.ajouter_apprentissage(
        auteur=auteur,
        quartier=quartier,
        periode=periode,
        categorie="defis",
        **{"texte_fr": "Les jeunes viennent par les pairs.", **champs},
    )


def test_un_apprentissage_se_rattache_a_un_indicateur_suivi_et_a_un_changement_du_quartier(
    quartier_a, periode, bob, rattachements
):
    for changement in ("changement_a", "changement_ancien_a"):  # toute version de la stratégie
        appris = _apprendre(
            bob,
            quartier_a,
            periode,
            indicateur=rattachements["indicateur_a"],
            changement=rattachements[changement],
        )
        assert (appris.indicateur, appris.changement) == (
            rattachements["indicateur_a"],
            rattachements[changement],
        )


@pytest.mark.parametrize("indicateur", ["indicateur_de_b", "indicateur_plus_suivi"])
def test_un_indicateur_que_le_quartier_ne_suit_pas_est_refuse(
    quartier_a, periode, eve, rattachements, indicateur
):
    with pytest.raises(ValidationError) as erreur:
        _apprendre(eve, quartier_a, periode, indicateur=rattachements[indicateur])
    assert erreur.value.message_dict == {"indicateur": ["Ce quartier ne suit pas cet indicateur."]}
    assert not Apprentissage.objects.exists()


def test_un_changement_d_un_autre_quartier_est_refuse_par_le_service(
    quartier_a, periode, eve, rattachements
):
    # Ève voit aussi B : c'est la règle du service, pas la visibilité, qui refuse.
    with pytest.raises(ValidationError) as erreur:
        _apprendre(eve, quartier_a, periode, changement=rattachements["changement_de_b"])
    assert set(erreur.value.message_dict) == {"changement"}
    assert "n'appartient pas" in erreur.value.message_dict["changement"][0]
    assert not Apprentissage.objects.exists()


def test_un_apprentissage_sans_texte_et_mal_rattache_recoit_toutes_ses_erreurs(
    quartier_a, periode, alice, rattachements
):
    with pytest.raises(ValidationError) as erreur:
        _apprendre(
            alice,
            quartier_a,
            periode,
            texte_fr=" ",
            indicateur=rattachements["indicateur_de_b"],
            changement=rattachements["changement_de_b"],
        )
    assert set(erreur.value.message_dict) == {"texte_fr", "texte_en", "indicateur", "changement"}


def test_le_formulaire_de_saisie_suit_la_meme_regle_de_rattachement(
    table_a, periode, alice, rattachements
):
    etrangere = services.DonneeApprentissage(
        categorie="defis", texte_fr="x", indicateur_id=rattachements["indicateur_de_b"].pk
    )
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_saisie(
            table=table_a,
            periode=periode,
            auteur=alice,
            version=1,
            donnees={},
            apprentissages=[etrangere],
        )
    assert set(erreur.value.message_dict) == {"indicateur"}
    # Tout ou rien : ni apprentissage, ni saisie créée pour l'occasion.
    assert not Apprentissage.objects.exists() and not Saisie.objects.exists()
    # Une rubrique laissée vide reste ignorée sans erreur, quel que soit son rattachement.
    vide = services.DonneeApprentissage(
        categorie="au_dela", texte_fr="  ", indicateur_id=rattachements["indicateur_de_b"].pk
    )
    suivie = services.DonneeApprentissage(
        categorie="defis", texte_fr="Appris.", indicateur_id=rattachements["indicateur_a"].pk
    )
    services.enregistrer_saisie(
        table=table_a,
        periode=periode,
        auteur=alice,
        version=1,
        donnees={},
        apprentissages=[vide, suivie],
    )
    assert list(Apprentissage.objects.values_list("categorie", "indicateur_id")) == [
        ("defis", rattachements["indicateur_a"].pk)
    ]
