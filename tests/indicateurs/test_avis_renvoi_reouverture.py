"""Un renvoi ou une réouverture de saisie s'annonce par courriel à la coordination de la table,
dans la langue de chaque personne, après la validation de la transaction; le rappel d'une
saisie renvoyée redit le renvoi et son motif au lieu de dire qu'elle n'est « pas encore »
soumise."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from rest_framework.test import APIClient

from indicateurs import avis
from indicateurs.models import Saisie, StatutPeriode, StatutSaisie
from indicateurs.services import renvoyer_saisie, rouvrir_saisie
from quartiers.models import RoleAffectation
from tests.factories import (
    AffectationFactory,
    IndicateurSuiviFactory,
    UtilisateurFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

SITE = "https://evalpic.example.org"
MOTIF = "La valeur 3 est en dollars, pas en ménages."


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def soumise(quartier_a) -> Saisie:
    IndicateurSuiviFactory(quartier=quartier_a)
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    return Saisie.objects.create(
        table=quartier_a.table, periode=periode, statut=StatutSaisie.SOUMISE
    )


@pytest.fixture
def validee_periode_fermee(quartier_a) -> Saisie:
    IndicateurSuiviFactory(quartier=quartier_a)
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.FERMEE)
    return Saisie.objects.create(
        table=quartier_a.table, periode=periode, statut=StatutSaisie.VALIDEE
    )


def _courriels_par_destinataire() -> dict:
    return {courriel.to[0]: courriel for courriel in mail.outbox}


def test_le_renvoi_part_a_la_coordination_seulement_apres_la_transaction(
    soumise, alice, bob, charlie, eve, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        renvoyer_saisie(saisie=soumise, auteur=eve, version=soumise.version, motif=MOTIF)
    assert mail.outbox == [], "rien ne part avant la validation de la transaction"
    assert len(rappels) == 1
    rappels[0]()

    (courriel,) = mail.outbox  # ni bob (conseiller), ni charlie (autre quartier), ni eve
    assert courriel.to == [alice.email]
    assert courriel.subject == "ÉvalPIC : la saisie T1 2025 de Quartier A vous est renvoyée"
    assert "vous a été renvoyée par Ève" in courriel.body
    assert MOTIF in courriel.body
    assert f"{SITE}/quartiers/{soumise.table.quartier.slug}/saisies/2025-T1/" in courriel.body


def test_chacune_recoit_l_avis_dans_sa_langue_et_pas_les_comptes_inactifs_ou_partis(
    soumise, alice, eve, quartier_a, django_capture_on_commit_callbacks
):
    alice.langue = "en"
    alice.save(update_fields=["langue"])
    francophone = UtilisateurFactory(email="zoe@exemple.org", langue="fr")
    AffectationFactory(utilisateur=francophone, quartier=quartier_a, role="coordonnateur")
    inactive = UtilisateurFactory(email="inactive@exemple.org", is_active=False)
    AffectationFactory(utilisateur=inactive, quartier=quartier_a, role="coordonnateur")
    partie = UtilisateurFactory(email="partie@exemple.org")
    AffectationFactory(
        utilisateur=partie,
        quartier=quartier_a,
        role=RoleAffectation.COORDONNATEUR,
        debut=datetime.date(2020, 1, 1),
        fin=datetime.date(2021, 1, 1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        renvoyer_saisie(saisie=soumise, auteur=eve, version=soumise.version, motif=MOTIF)

    courriels = _courriels_par_destinataire()
    assert set(courriels) == {alice.email, francophone.email}
    assert "Q1 2025" in courriels[alice.email].subject  # le trimestre dans sa langue
    assert "T1 2025" in courriels[francophone.email].subject
    assert "Bonjour" not in courriels[alice.email].body
    assert "Bonjour" in courriels[francophone.email].body
    assert all(MOTIF in courriel.body for courriel in courriels.values())


def test_la_reouverture_apres_la_fermeture_est_annoncee_avec_son_motif(
    validee_periode_fermee, alice, eve, django_capture_on_commit_callbacks
):
    saisie = validee_periode_fermee
    with django_capture_on_commit_callbacks(execute=True):
        rouvrir_saisie(saisie=saisie, auteur=eve, version=saisie.version, motif="À corriger")

    (courriel,) = mail.outbox
    assert courriel.to == [alice.email]
    assert "rouverte" in courriel.subject
    assert "rouverte par Ève" in courriel.body
    assert "À corriger" in courriel.body
    assert "/saisies/2025-T1/" in courriel.body


def test_un_renvoi_annule_n_annonce_rien(soumise, alice, eve, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        renvoyer_saisie(saisie=soumise, auteur=eve, version=soumise.version, motif=MOTIF)
        raise RuntimeError("la requête échoue après le service")
    assert mail.outbox == []
    soumise.refresh_from_db()
    assert soumise.statut == StatutSaisie.SOUMISE


def test_un_echec_d_envoi_ne_defait_pas_le_renvoi(
    soumise, alice, eve, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.indicateurs.test_avis_renvoi_reouverture.ServeurEnPanne"
    with django_capture_on_commit_callbacks(execute=True):
        renvoyer_saisie(saisie=soumise, auteur=eve, version=soumise.version, motif=MOTIF)
    soumise.refresh_from_db()
    assert soumise.statut == StatutSaisie.RENVOYEE
    assert soumise.motif_renvoi == MOTIF
    assert "non envoyé" in caplog.text


def test_file_injoignable_l_avis_part_quand_meme(
    soumise, alice, eve, monkeypatch, django_capture_on_commit_callbacks
):
    from indicateurs import tasks

    def file_injoignable(*args, **kwargs):
        raise ConnectionRefusedError("Redis injoignable")

    monkeypatch.setattr(tasks.prevenir_du_renvoi_task, "delay", file_injoignable)
    with django_capture_on_commit_callbacks(execute=True):
        renvoyer_saisie(saisie=soumise, auteur=eve, version=soumise.version, motif=MOTIF)
    assert [courriel.to for courriel in mail.outbox] == [[alice.email]]


def test_la_tache_recoit_l_evenement_et_appelle_le_service(
    soumise, alice, eve, monkeypatch, django_capture_on_commit_callbacks
):
    from indicateurs import tasks

    recus = []
    monkeypatch.setattr(tasks.prevenir_du_renvoi_task, "delay", recus.append)
    with django_capture_on_commit_callbacks(execute=True):
        renvoyer_saisie(saisie=soumise, auteur=eve, version=soumise.version, motif=MOTIF)
    evenement = soumise.evenements.get(type_evenement="renvoi")
    assert recus == [evenement.pk]
    assert tasks.prevenir_du_renvoi_task.run(evenement.pk) == 1
    assert avis.prevenir_du_renvoi(evenement_id=0) == 0


def test_le_renvoi_par_l_api_previent_aussi(
    soumise, alice, eve, django_capture_on_commit_callbacks
):
    client = APIClient()
    client.force_login(eve)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            f"/api/v1/saisies/{soumise.pk}/renvoyer/",
            {"motif": MOTIF},
            format="json",
            HTTP_IF_MATCH=f'"{soumise.version}"',
        )
    assert reponse.status_code == 200, reponse.content
    (courriel,) = mail.outbox
    assert courriel.to == [alice.email]
    assert MOTIF in courriel.body


def test_la_reouverture_par_l_api_previent_aussi(
    validee_periode_fermee, alice, eve, django_capture_on_commit_callbacks
):
    saisie = validee_periode_fermee
    client = APIClient()
    client.force_login(eve)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            f"/api/v1/saisies/{saisie.pk}/rouvrir/",
            {"motif": "À corriger"},
            format="json",
            HTTP_IF_MATCH=f'"{saisie.version}"',
        )
    assert reponse.status_code == 200, reponse.content
    (courriel,) = mail.outbox
    assert "rouverte" in courriel.subject


def test_le_renvoi_par_la_page_de_revision_previent_aussi(
    soumise, alice, eve, client, django_capture_on_commit_callbacks
):
    client.force_login(eve)
    slug = soumise.table.quartier.slug
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            f"/quartiers/{slug}/saisies/2025-T1/revision/",
            {"action": "renvoyer", "version": soumise.version, "motif": MOTIF},
        )
    assert reponse.status_code == 302
    (courriel,) = mail.outbox
    assert MOTIF in courriel.body


# --- Le rappel d'une saisie renvoyée ------------------------------------------------------------


def _rappel(**contexte) -> tuple[str, str]:
    contexte = {
        "nom": "Alice",
        "quartier": "Quartier A",
        "periode": "T1 2025",
        "echeance": datetime.date(2025, 4, 30),
        "en_retard": True,
        "lien": f"{SITE}/quartiers/quartier-a/saisies/2025-T1/",
        **contexte,
    }
    sujet = render_to_string("emails/rappel_saisie_sujet.txt", contexte)
    return " ".join(sujet.split()), render_to_string("emails/rappel_saisie.txt", contexte)


def test_le_rappel_en_retard_d_une_saisie_renvoyee_redit_le_renvoi_et_son_motif():
    sujet, corps = _rappel(motif_renvoi=MOTIF)
    assert "Elle ne l'est pas encore" not in corps
    assert "Elle vous a été renvoyée" in corps
    assert MOTIF in corps
    assert "renvoyée" in sujet


def test_le_rappel_avant_l_echeance_d_une_saisie_renvoyee_redit_aussi_le_motif():
    sujet, corps = _rappel(motif_renvoi=MOTIF, en_retard=False)
    assert "Si elle est commencée" not in corps
    assert MOTIF in corps
    assert sujet.startswith("Rappel :") and "renvoyée" in sujet


def test_le_rappel_d_une_saisie_jamais_soumise_ne_change_pas():
    sujet, corps = _rappel(motif_renvoi="")
    assert "Elle ne l'est pas encore" in corps
    assert "renvoy" not in corps + sujet


class ServeurEnPanne:
    """Un moteur de courriel dont le serveur ne répond pas."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP injoignable")
