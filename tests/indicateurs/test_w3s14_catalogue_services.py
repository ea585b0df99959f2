"""Le catalogue et le plan de mesure tenus depuis le site (indicateurs.services_catalogue) :
proposer un indicateur (la coordination pour son quartier, l'évaluation et l'administration
pour tous), l'examiner (approuver, refuser avec un motif, deux examens concurrents), tenir le
plan d'un quartier (référence et cibles selon l'unité, suivi ajouté, désactivé, repris), rien
d'écrit quand une règle refuse."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from indicateurs import selectors, services_catalogue
from indicateurs.models import (
    Cible,
    Indicateur,
    IndicateurSuivi,
    ModeCollecte,
    StatutIndicateur,
    Valeur,
)
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _proposition(**remplacements) -> dict:
    donnees = {
        "code": "jeunes-mentores",
        "nom_fr": "Jeunes mentorés",
        "nom_en": "Mentored youth",
        "definition_fr": "Nombre de jeunes accompagnés par un mentor au cours du trimestre.",
        "definition_en": "Number of youth supported by a mentor during the quarter.",
        "famille": "personnes",
        "unite": "nombre",
        "agregation": "somme",
    }
    donnees.update(remplacements)
    return donnees


def proposer(utilisateur, quartier, **remplacements) -> Indicateur:
    return services_catalogue.proposer_indicateur(
        utilisateur=utilisateur, quartier=quartier, **_proposition(**remplacements)
    )


# --- Proposer -----------------------------------------------------------------------------------


def test_alice_propose_pour_son_quartier_un_indicateur_proposé_saisi_et_suivi(alice, quartier_a):
    indicateur = proposer(
        alice,
        quartier_a,
        valeur_reference=Decimal("12"),
        date_reference=datetime.date(2024, 12, 31),
        source_reference="Registre de la table",
    )
    indicateur.refresh_from_db()
    assert indicateur.statut == StatutIndicateur.PROPOSE
    assert indicateur.propose_par == alice
    assert indicateur.mode == ModeCollecte.SAISI
    suivi = IndicateurSuivi.objects.get(indicateur=indicateur)
    assert suivi.quartier == quartier_a and suivi.actif
    assert suivi.valeur_reference == Decimal("12")
    assert suivi.source_reference == "Registre de la table"


@pytest.mark.parametrize("persona", ["eve", "ada"])
def test_l_evaluation_et_l_administration_proposent_pour_tout_quartier(
    personas, quartier_b, persona
):
    indicateur = proposer(personas[persona], quartier_b)
    assert indicateur.suivis.get().quartier == quartier_b


def test_alice_ne_propose_pas_pour_b_404_et_bob_ne_propose_pas_403(
    alice, bob, quartier_a, quartier_b
):
    with pytest.raises(Http404):
        proposer(alice, quartier_b)
    with pytest.raises(PermissionDenied):
        proposer(bob, quartier_a)
    assert not Indicateur.objects.exists()


def test_toutes_les_regles_du_modele_refusent_ensemble_et_rien_n_est_ecrit(alice, quartier_a):
    IndicateurFactory(code="pris")
    with pytest.raises(ValidationError) as refus:
        proposer(
            alice,
            quartier_a,
            code="pris",
            unite="pourcentage",
            famille="inconnue",
            nom_en="",
            valeur_reference=Decimal("150"),
            date_reference=datetime.date(2024, 1, 1),
        )
    erreurs = refus.value.message_dict
    assert {"code", "famille", "nom_en", "valeur_reference"} <= set(erreurs)
    assert Indicateur.objects.count() == 1 and not IndicateurSuivi.objects.exists()


def test_une_reference_sans_date_est_refusee_a_cote_de_la_date(alice, quartier_a):
    with pytest.raises(ValidationError) as refus:
        proposer(alice, quartier_a, valeur_reference=Decimal("3"))
    assert "date_reference" in refus.value.message_dict
    assert not Indicateur.objects.exists()


# --- Examiner -----------------------------------------------------------------------------------


def test_approuvee_la_proposition_entre_dans_le_formulaire_trimestriel(alice, eve, quartier_a):
    periode = periode_du_trimestre(2025, 1, statut="ouverte")
    indicateur = proposer(alice, quartier_a)

    def demandes() -> set[str]:
        page = selectors.page_de_saisie(quartier_a, periode)
        return {ligne.indicateur.code for ligne in page.lignes}

    assert "jeunes-mentores" not in demandes()
    assert not IndicateurSuivi.objects.filter(quartier=quartier_a).a_saisir().exists()
    services_catalogue.approuver_proposition(
        utilisateur=eve,
        indicateur=indicateur,
        version=services_catalogue.empreinte_de_la_proposition(indicateur),
    )
    indicateur.refresh_from_db()
    assert indicateur.statut == StatutIndicateur.APPROUVE
    assert indicateur.examine_par == eve and indicateur.examine_le is not None
    assert "jeunes-mentores" in demandes()
    assert IndicateurSuivi.objects.filter(quartier=quartier_a).a_saisir().count() == 1


def test_refusee_avec_un_motif_la_proposition_est_retiree_et_garde_son_motif(
    alice, eve, quartier_a
):
    indicateur = proposer(alice, quartier_a)
    with pytest.raises(ValidationError) as sans_motif:
        services_catalogue.refuser_proposition(utilisateur=eve, indicateur=indicateur, motif="  ")
    assert "motif" in sans_motif.value.message_dict
    indicateur.refresh_from_db()
    assert indicateur.statut == StatutIndicateur.PROPOSE
    services_catalogue.refuser_proposition(
        utilisateur=eve, indicateur=indicateur, motif="Déjà mesuré par « menages »."
    )
    indicateur.refresh_from_db()
    assert indicateur.statut == StatutIndicateur.RETIRE
    assert indicateur.motif_refus == "Déjà mesuré par « menages »."
    plan = services_catalogue.plan_du_quartier(quartier_a)
    assert [s.indicateur.code for s in plan.propositions] == ["jeunes-mentores"]
    assert not plan.mesures


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie"])
def test_seules_l_evaluation_et_l_administration_examinent(personas, quartier_a, persona):
    indicateur = proposer(personas["eve"], quartier_a)
    with pytest.raises(PermissionDenied):
        services_catalogue.approuver_proposition(
            utilisateur=personas[persona], indicateur=indicateur
        )
    with pytest.raises(PermissionDenied):
        services_catalogue.propositions_a_examiner(personas[persona])


def test_le_second_examen_est_refuse_et_n_ecrase_rien(alice, eve, ada, quartier_a):
    indicateur = proposer(alice, quartier_a)
    version = services_catalogue.empreinte_de_la_proposition(indicateur)
    services_catalogue.approuver_proposition(
        utilisateur=eve, indicateur=indicateur, version=version
    )
    with pytest.raises(services_catalogue.ConflitCatalogue) as conflit:
        services_catalogue.refuser_proposition(
            utilisateur=ada, indicateur=indicateur, motif="Non", version=version
        )
    assert "déjà été approuvée par Ève" in str(conflit.value)
    indicateur.refresh_from_db()
    assert indicateur.statut == StatutIndicateur.APPROUVE
    assert indicateur.examine_par == eve and indicateur.motif_refus == ""


def test_une_proposition_modifiee_depuis_l_ouverture_n_est_pas_examinee(alice, eve, quartier_a):
    indicateur = proposer(alice, quartier_a)
    version = services_catalogue.empreinte_de_la_proposition(indicateur)
    Indicateur.objects.filter(pk=indicateur.pk).update(unite="pourcentage")
    with pytest.raises(services_catalogue.ConflitCatalogue):
        services_catalogue.approuver_proposition(
            utilisateur=eve, indicateur=indicateur, version=version
        )
    assert Indicateur.objects.get(pk=indicateur.pk).statut == StatutIndicateur.PROPOSE


# --- Le plan d'un quartier ----------------------------------------------------------------------


@pytest.fixture
def suivi_taux(quartier_a):
    indicateur = IndicateurFactory(code="taux", unite="pourcentage", agregation="moyenne")
    suivi = IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(2024, 4), valeur=40)
    return services_catalogue.suivi_du_quartier_ou_404(quartier_a, suivi.pk)


def _modifier(utilisateur, suivi, **remplacements):
    donnees = {
        "valeur_reference": Decimal("30"),
        "date_reference": datetime.date(2023, 12, 31),
        "source_reference": "Recensement",
        "cibles": {},
        "version": suivi.version,
    }
    donnees.update(remplacements)
    return services_catalogue.modifier_suivi(utilisateur=utilisateur, suivi=suivi, **donnees)


def test_eve_modifie_la_reference_ajoute_et_retire_des_cibles(eve, suivi_taux):
    t4_2024, t4_2025 = periode_du_trimestre(2024, 4), periode_du_trimestre(2025, 4)
    _modifier(eve, suivi_taux, cibles={t4_2024: None, t4_2025: Decimal("55.5")})
    suivi_taux.refresh_from_db()
    assert suivi_taux.valeur_reference == Decimal("30")
    assert suivi_taux.source_reference == "Recensement"
    assert {(c.periode, c.valeur) for c in suivi_taux.cibles.all()} == {(t4_2025, Decimal("55.5"))}


def test_un_pourcentage_hors_bornes_est_refuse_par_champ_et_rien_n_est_ecrit(eve, suivi_taux):
    t4_2025 = periode_du_trimestre(2025, 4)
    with pytest.raises(ValidationError) as refus:
        _modifier(eve, suivi_taux, valeur_reference=Decimal("150"), cibles={t4_2025: Decimal("-1")})
    assert set(refus.value.message_dict) == {"valeur_reference", f"cible_{t4_2025.pk}"}
    suivi_taux.refresh_from_db()
    assert suivi_taux.valeur_reference == Decimal("10")
    assert suivi_taux.cibles.count() == 1


def test_une_version_perimee_n_ecrit_rien(eve, ada, suivi_taux):
    _modifier(ada, suivi_taux, valeur_reference=Decimal("20"))
    with pytest.raises(services_catalogue.ConflitCatalogue):
        _modifier(eve, suivi_taux, valeur_reference=Decimal("25"))
    suivi_taux.refresh_from_db()
    assert suivi_taux.valeur_reference == Decimal("20")


@pytest.mark.parametrize(
    ("persona", "refus"),
    [("alice", PermissionDenied), ("bob", PermissionDenied), ("charlie", Http404)],
)
def test_la_coordination_et_le_conseil_ne_tiennent_pas_le_plan(
    personas, suivi_taux, persona, refus
):
    with pytest.raises(refus):
        _modifier(personas[persona], suivi_taux)
    with pytest.raises(refus):
        services_catalogue.desactiver_suivi(utilisateur=personas[persona], suivi=suivi_taux)


def test_desactiver_garde_les_valeurs_et_le_suivi_se_reprend(eve, quartier_a, suivi_taux):
    periode = periode_du_trimestre(2025, 1, statut="ouverte")
    from indicateurs.models import Saisie

    saisie = Saisie.objects.create(table=quartier_a.table, periode=periode)
    Valeur.objects.create(saisie=saisie, indicateur=suivi_taux.indicateur, valeur_numerique=12)
    services_catalogue.desactiver_suivi(
        utilisateur=eve, suivi=suivi_taux, version=suivi_taux.version
    )
    suivi_taux.refresh_from_db()
    assert not suivi_taux.actif and suivi_taux.cibles.count() == 1
    assert Valeur.objects.filter(indicateur=suivi_taux.indicateur).count() == 1
    assert "taux" not in {
        ligne.indicateur.code for ligne in selectors.page_de_saisie(quartier_a, periode).lignes
    }
    assert suivi_taux.indicateur in services_catalogue.indicateurs_a_ajouter(quartier_a)
    repris = services_catalogue.suivre_indicateur(
        utilisateur=eve, quartier=quartier_a, indicateur=suivi_taux.indicateur
    )
    assert repris.pk == suivi_taux.pk and repris.actif
    assert IndicateurSuivi.objects.get(pk=repris.pk).valeur_reference == Decimal("10")


def test_seul_un_indicateur_approuve_et_non_suivi_s_ajoute(alice, eve, quartier_a, suivi_taux):
    propose = proposer(alice, quartier_a, code="autre")
    with pytest.raises(ValidationError):
        services_catalogue.suivre_indicateur(
            utilisateur=eve, quartier=quartier_a, indicateur=propose
        )
    with pytest.raises(ValidationError):
        services_catalogue.suivre_indicateur(
            utilisateur=eve, quartier=quartier_a, indicateur=suivi_taux.indicateur
        )
    nouveau = IndicateurFactory(code="nouveau")
    suivi = services_catalogue.suivre_indicateur(
        utilisateur=eve, quartier=quartier_a, indicateur=nouveau
    )
    assert suivi.actif and suivi.quartier == quartier_a
