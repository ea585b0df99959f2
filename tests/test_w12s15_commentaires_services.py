"""Les commentaires d'une saisie (`indicateurs.services_commentaires`) : une discussion à côté
des données. Qui a le droit de commenter le quartier (sa coordination, le conseil qui y est
affecté, l'évaluation, l'administration) commente une saisie entière ou un de ses indicateurs,
quel que soit son statut, sans en changer la version, le statut ni l'historique; un autre
quartier répond 404. Un texte vide, invisible ou trop long, un indicateur étranger à la saisie :
`ValidationError`, rien d'écrit. Son auteur·e retire son commentaire (texte effacé, ligne
gardée). La coordination de la table est prévenue par courriel quand une autre personne
commente."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from indicateurs import services, services_commentaires
from indicateurs.models import (
    CommentaireSaisie,
    EvenementSaisie,
    Saisie,
    StatutPeriode,
    StatutSaisie,
)
from indicateurs.validation import LONGUEUR_TEXTE_MAX
from quartiers.models import RoleAffectation
from tests.factories import (
    AffectationFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    UtilisateurFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

QUESTION = "Pourquoi ce chiffre a-t-il doublé ?"
REPONSE = "Nouveau partenaire en septembre."


@pytest.fixture
def indicateur(quartier_a):
    indicateur = IndicateurFactory(code="menages", nom_fr="Ménages joints")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


@pytest.fixture
def validee(quartier_a, alice, eve, indicateur) -> Saisie:
    """Une saisie passée par tout le circuit : enregistrée, soumise, validée (historique)."""
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    saisie = services.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie,
        auteur=alice,
        version=1,
        donnees={indicateur.pk: services.DonneeValeur(valeur=Decimal(20))},
    )
    saisie.refresh_from_db()
    saisie = services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)
    saisie = services.valider_saisie(saisie=saisie, auteur=eve, version=saisie.version)
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.VALIDEE
    return saisie


# --- Qui commente -------------------------------------------------------------------------------


@pytest.mark.parametrize("qui", ["alice", "bob", "eve", "ada"])
def test_qui_a_le_droit_de_commenter_commente(personas, validee, qui):
    commentaire = services_commentaires.commenter(
        auteur=personas[qui], saisie=validee, texte=f"  {QUESTION}  "
    )
    assert commentaire.texte == QUESTION
    assert commentaire.auteur == personas[qui]
    assert commentaire.indicateur is None
    assert services_commentaires.peut_commenter(personas[qui], validee)


def test_la_coordination_d_un_autre_quartier_recoit_404_et_rien_n_est_ecrit(charlie, validee):
    with pytest.raises(Http404):
        services_commentaires.commenter(auteur=charlie, saisie=validee, texte=QUESTION)
    assert not CommentaireSaisie.objects.exists()
    assert not services_commentaires.peut_commenter(charlie, validee)


def test_un_conseiller_affecte_ailleurs_ou_dont_l_affectation_est_finie_recoit_404(
    quartier_b, quartier_a, validee
):
    ailleurs = UtilisateurFactory()
    AffectationFactory(utilisateur=ailleurs, quartier=quartier_b, role=RoleAffectation.CONSEILLER)
    parti = UtilisateurFactory()
    hier = timezone.localdate() - datetime.timedelta(days=1)
    AffectationFactory(
        utilisateur=parti,
        quartier=quartier_a,
        role=RoleAffectation.CONSEILLER,
        debut=hier - datetime.timedelta(days=30),
        fin=hier,
    )
    sans_role = UtilisateurFactory()
    for personne in (ailleurs, parti, sans_role):
        with pytest.raises(Http404):
            services_commentaires.commenter(auteur=personne, saisie=validee, texte=QUESTION)
    assert not CommentaireSaisie.objects.exists()


# --- Ce qu'on écrit -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "texte",
    ["", "   ", None, "\u200b\u202e\u200b", "x" * (LONGUEUR_TEXTE_MAX + 1)],
    ids=["vide", "espaces", "absent", "invisible", "trop-long"],
)
def test_un_texte_vide_invisible_ou_trop_long_est_refuse(bob, validee, texte):
    with pytest.raises(ValidationError) as refus:
        services_commentaires.commenter(auteur=bob, saisie=validee, texte=texte)
    assert list(refus.value.error_dict) == ["texte"]
    assert not CommentaireSaisie.objects.exists()


def test_un_texte_de_la_longueur_maximale_passe(bob, validee):
    texte = "x" * LONGUEUR_TEXTE_MAX
    assert services_commentaires.commenter(auteur=bob, saisie=validee, texte=texte).texte == texte


def test_un_commentaire_vise_un_indicateur_du_formulaire(bob, validee, indicateur):
    commentaire = services_commentaires.commenter(
        auteur=bob, saisie=validee, texte=QUESTION, indicateur=indicateur
    )
    assert commentaire.indicateur == indicateur


def test_un_indicateur_que_la_saisie_ne_demande_pas_est_refuse(bob, validee, quartier_b):
    etranger = IndicateurFactory(code="autre")  # suivi par B seulement
    IndicateurSuiviFactory(quartier=quartier_b, indicateur=etranger)
    arrete = IndicateurFactory(code="arrete")  # suivi arrêté, sans valeur dans la saisie
    IndicateurSuiviFactory(quartier=validee.table.quartier, indicateur=arrete, actif=False)
    for indicateur in (etranger, arrete):
        with pytest.raises(ValidationError) as refus:
            services_commentaires.commenter(
                auteur=bob, saisie=validee, texte=QUESTION, indicateur=indicateur
            )
        assert list(refus.value.error_dict) == ["indicateur"]
    assert not CommentaireSaisie.objects.exists()


def test_un_indicateur_dont_la_saisie_a_une_valeur_reste_commentable_apres_l_arret_du_suivi(
    bob, validee, indicateur
):
    validee.table.quartier.indicateurs_suivis.update(actif=False)
    commentaire = services_commentaires.commenter(
        auteur=bob, saisie=validee, texte=QUESTION, indicateur=indicateur
    )
    assert commentaire.indicateur == indicateur


# --- Ce que le commentaire ne touche pas ---------------------------------------------------------


def test_commenter_une_saisie_validee_ne_change_ni_version_ni_statut_ni_historique(
    personas, validee
):
    avant = (validee.version, validee.statut, validee.updated_at)
    historique = list(EvenementSaisie.objects.filter(saisie=validee).values_list("pk", flat=True))
    for qui in ("alice", "bob", "eve", "ada"):
        services_commentaires.commenter(auteur=personas[qui], saisie=validee, texte=REPONSE)
    validee.refresh_from_db()
    assert (validee.version, validee.statut, validee.updated_at) == avant
    assert (
        list(EvenementSaisie.objects.filter(saisie=validee).values_list("pk", flat=True))
        == historique
    )
    assert CommentaireSaisie.objects.filter(saisie=validee).count() == 4


@pytest.mark.parametrize("statut", [StatutSaisie.BROUILLON, StatutSaisie.RENVOYEE])
def test_un_brouillon_ou_une_saisie_renvoyee_se_commentent_aussi(bob, validee, statut):
    Saisie.objects.filter(pk=validee.pk).update(statut=statut, motif_renvoi="À revoir")
    validee.refresh_from_db()
    services_commentaires.commenter(auteur=bob, saisie=validee, texte=QUESTION)
    validee.refresh_from_db()
    assert validee.statut == statut


# --- Retirer le sien ----------------------------------------------------------------------------


def test_l_auteur_retire_son_commentaire_le_texte_est_efface_la_ligne_reste(bob, validee):
    commentaire = services_commentaires.commenter(auteur=bob, saisie=validee, texte=QUESTION)
    services_commentaires.retirer_commentaire(auteur=bob, commentaire=commentaire)
    commentaire.refresh_from_db()
    assert commentaire.est_retire and commentaire.texte == ""
    premier_retrait = commentaire.retire_le
    # Deux fois (double clic) : rien ne change.
    services_commentaires.retirer_commentaire(auteur=bob, commentaire=commentaire)
    commentaire.refresh_from_db()
    assert commentaire.retire_le == premier_retrait


@pytest.mark.parametrize("qui", ["alice", "eve", "ada"])
def test_personne_ne_retire_le_commentaire_d_une_autre(personas, validee, qui):
    commentaire = services_commentaires.commenter(
        auteur=personas["bob"], saisie=validee, texte=QUESTION
    )
    with pytest.raises(PermissionDenied):
        services_commentaires.retirer_commentaire(auteur=personas[qui], commentaire=commentaire)
    commentaire.refresh_from_db()
    assert commentaire.texte == QUESTION and not commentaire.est_retire


def test_charlie_ne_retire_rien_de_a(charlie, bob, validee):
    commentaire = services_commentaires.commenter(auteur=bob, saisie=validee, texte=QUESTION)
    with pytest.raises(Http404):
        services_commentaires.retirer_commentaire(auteur=charlie, commentaire=commentaire)


# --- L'avis à la coordination -------------------------------------------------------------------


def test_la_coordination_est_prevenue_apres_la_transaction_pas_l_auteur(
    settings, alice, bob, charlie, eve, validee, indicateur, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://evalpic.example.org"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        services_commentaires.commenter(
            auteur=bob, saisie=validee, texte=QUESTION, indicateur=indicateur
        )
    assert mail.outbox == [] and len(rappels) == 1
    rappels[0]()
    (courriel,) = mail.outbox  # Alice seulement : ni Bob (l'auteur), ni Charlie, ni Ève
    assert courriel.to == [alice.email]
    assert courriel.subject == "ÉvalPIC : un commentaire sur la saisie T1 2025 de Quartier A"
    assert QUESTION in courriel.body
    assert "« Ménages joints »" in courriel.body
    assert "https://evalpic.example.org/quartiers/quartier-a/saisies/2025-T1/#commentaires" in (
        courriel.body
    )


def test_la_coordination_qui_commente_ne_se_previent_pas(
    alice, validee, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services_commentaires.commenter(auteur=alice, saisie=validee, texte=REPONSE)
    assert mail.outbox == []


def test_un_commentaire_retire_avant_l_envoi_ne_part_pas(bob, alice, validee):
    commentaire = CommentaireSaisie.objects.create(saisie=validee, auteur=bob, texte=QUESTION)
    services_commentaires.retirer_commentaire(auteur=bob, commentaire=commentaire)
    mail.outbox.clear()
    assert services_commentaires.prevenir_du_commentaire(commentaire_id=commentaire.pk) == 0
    assert mail.outbox == []
