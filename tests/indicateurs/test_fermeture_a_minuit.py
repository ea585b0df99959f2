"""Une période s'ouvre et se ferme à minuit, heure de Montréal, pas au passage de la tâche du
calendrier (`indicateurs.planifier_periodes`) : ce qui s'écrit et se soumet suit le calendrier
du jour local (`Periode.statut_du_jour`), même si la tâche passe plus tard ou pas du tout. Le
statut enregistré, que la tâche aligne, reste celui des listes et des filtres. Sans cela, le
30 juin 2025 à 0 h 45, le T1 2025, fermé selon le calendrier, recevait encore des valeurs
jusqu'au passage de beat à 1 h 30."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from unittest import mock

import pytest
from celery.schedules import crontab
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from indicateurs import services
from indicateurs.models import Periode, RappelEnvoye, Saisie, StatutPeriode, StatutSaisie
from indicateurs.periodes import envoyer_rappels, planifier_periodes
from indicateurs.validation import DonneeValeur
from tests.factories import IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

J = datetime.date
UTC = datetime.UTC
MONTREAL = zoneinfo.ZoneInfo("America/Montreal")
# Le T1 2025 : fin le 31 mars, échéance le 30 avril, ouvert jusqu'au 29 juin inclus.
DERNIER_JOUR_DU_T1 = J(2025, 6, 29)
# Le T2 2025 : fin le 30 juin, ouvert dès le 16 juin.
OUVERTURE_DU_T2 = J(2025, 6, 16)


@pytest.fixture(autouse=True)
def reglages(settings):
    settings.EVALPIC_OUVERTURE_JOURS_AVANT_FIN = 14
    settings.EVALPIC_ECHEANCE_JOURS_APRES_FIN = 30
    settings.EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE = 60
    settings.EVALPIC_RAPPEL_JOURS_AVANT_ECHEANCE = 7
    settings.TIME_ZONE = "America/Montreal"
    return settings


def a_montreal(annee, mois, jour, heure, minute):
    """Fige l'horloge à cette heure de Montréal."""
    instant = datetime.datetime(annee, mois, jour, heure, minute, tzinfo=MONTREAL)
    return mock.patch("django.utils.timezone.now", return_value=instant.astimezone(UTC))


def t1_2025() -> Periode:
    return Periode.objects.get(annee=2025, trimestre=1)


def t2_2025() -> Periode:
    return Periode.objects.get(annee=2025, trimestre=2)


@pytest.fixture
def a_saisir(quartier_a):
    return IndicateurSuiviFactory(quartier=quartier_a).indicateur


def valeur(indicateur, nombre: str = "12") -> dict:
    return {indicateur.pk: DonneeValeur(valeur=Decimal(nombre))}


# --- La fermeture -------------------------------------------------------------------------------


def test_a_0h45_le_lendemain_du_dernier_jour_la_periode_est_fermee_avant_le_passage_de_beat(
    alice, quartier_a, a_saisir
):
    planifier_periodes(aujourd_hui=DERNIER_JOUR_DU_T1)  # le passage de la veille
    periode = t1_2025()
    with a_montreal(2025, 6, 30, 0, 45):
        assert timezone.localdate() == J(2025, 6, 30)
        assert periode.statut == StatutPeriode.OUVERTE  # en base : beat n'est pas encore passé
        assert periode.statut_du_jour() == StatutPeriode.FERMEE
        assert not services.saisie_modifiable(None, periode)
        with pytest.raises(ValidationError) as erreur:
            services.enregistrer_saisie(
                table=quartier_a.table,
                periode=periode,
                auteur=alice,
                version=0,
                donnees=valeur(a_saisir),
            )
    assert "periode" in erreur.value.message_dict
    assert not Saisie.objects.exists()


def test_a_23h59_le_dernier_jour_la_saisie_s_ecrit_encore(alice, quartier_a, a_saisir):
    planifier_periodes(aujourd_hui=DERNIER_JOUR_DU_T1)
    periode = t1_2025()
    with a_montreal(2025, 6, 29, 23, 59):
        assert services.saisie_modifiable(None, periode)
        saisie = services.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
        services.enregistrer_saisie(
            saisie=saisie, auteur=alice, version=1, donnees=valeur(a_saisir)
        )
    assert Saisie.objects.get().valeurs.count() == 1


def test_un_brouillon_de_la_veille_ne_se_modifie_plus_a_0h45_mais_se_soumet_tel_quel(
    alice, quartier_a, a_saisir
):
    planifier_periodes(aujourd_hui=DERNIER_JOUR_DU_T1)
    periode = t1_2025()
    with a_montreal(2025, 6, 29, 22, 0):
        saisie = services.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
        services.enregistrer_saisie(
            saisie=saisie, auteur=alice, version=1, donnees=valeur(a_saisir)
        )
    saisie.refresh_from_db()
    with a_montreal(2025, 6, 30, 0, 45):
        assert not services.saisie_modifiable(saisie, periode)
        assert services.saisie_soumettable(saisie, periode)  # la règle de la période fermée
        with pytest.raises(ValidationError, match="ce brouillon ne se modifie plus"):
            services.enregistrer_saisie(
                saisie=saisie, auteur=alice, version=2, donnees=valeur(a_saisir, "13")
            )


def test_le_formulaire_envoye_a_0h45_n_ecrit_rien(client, alice, quartier_a, a_saisir):
    planifier_periodes(aujourd_hui=DERNIER_JOUR_DU_T1)
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": "2025-T1"})
    client.force_login(alice)
    with a_montreal(2025, 6, 30, 0, 45):
        reponse = client.post(url, {"version": "1", f"v{a_saisir.pk}": "12", "action": "brouillon"})
    assert reponse.status_code == 400
    # Ouvert avant la fermeture : la page le dit et garde ce qui a été tapé
    # (test_fermee_avant_le_premier_enregistrement.py).
    assert "La période s'est fermée pendant que vous remplissiez" in reponse.content.decode()
    assert not Saisie.objects.exists()


def test_sans_passage_de_beat_pendant_des_jours_la_periode_reste_fermee(alice, quartier_a):
    planifier_periodes(aujourd_hui=DERNIER_JOUR_DU_T1)
    periode = t1_2025()
    with a_montreal(2025, 7, 3, 15, 0):
        assert periode.statut == StatutPeriode.OUVERTE
        assert periode.statut_du_jour() == StatutPeriode.FERMEE
        assert not services.saisie_modifiable(None, periode)


def test_une_echeance_repoussee_dans_l_admin_compte_sans_attendre_beat(alice, quartier_a):
    planifier_periodes(aujourd_hui=DERNIER_JOUR_DU_T1)
    periode = t1_2025()
    periode.echeance = J(2025, 5, 15)  # fermeture repoussée au 14 juillet
    periode.save()
    with a_montreal(2025, 6, 30, 0, 45):
        assert periode.statut_du_jour() == StatutPeriode.OUVERTE
        assert services.saisie_modifiable(None, periode)


# --- L'ouverture --------------------------------------------------------------------------------


def test_a_0h10_le_jour_de_l_ouverture_la_saisie_s_ecrit_deja(alice, quartier_a, a_saisir):
    planifier_periodes(aujourd_hui=OUVERTURE_DU_T2 - datetime.timedelta(days=1))
    periode = t2_2025()
    assert periode.statut == StatutPeriode.A_VENIR
    with a_montreal(2025, 6, 16, 0, 10):
        assert periode.statut_du_jour() == StatutPeriode.OUVERTE
        saisie = services.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
        services.enregistrer_saisie(
            saisie=saisie, auteur=alice, version=1, donnees=valeur(a_saisir)
        )
    assert Saisie.objects.get().periode == periode


def test_a_23h59_la_veille_de_l_ouverture_rien_ne_s_ecrit(alice, quartier_a):
    planifier_periodes(aujourd_hui=OUVERTURE_DU_T2 - datetime.timedelta(days=1))
    with a_montreal(2025, 6, 15, 23, 59):
        assert not services.saisie_modifiable(None, t2_2025())
        with pytest.raises(ValidationError):
            services.saisie_pour(table=quartier_a.table, periode=t2_2025(), auteur=alice)


# --- Le statut enregistré -----------------------------------------------------------------------


def test_la_tache_note_le_jour_de_l_alignement_et_aligne_toujours_le_statut():
    planifier_periodes(aujourd_hui=DERNIER_JOUR_DU_T1)
    assert t1_2025().statut_aligne_le == DERNIER_JOUR_DU_T1

    planifier_periodes(aujourd_hui=J(2025, 6, 30))

    periode = t1_2025()
    assert (periode.statut, periode.statut_aligne_le) == (StatutPeriode.FERMEE, J(2025, 6, 30))


def test_un_statut_pose_a_la_main_sans_alignement_fait_foi():
    """Les données de démonstration, un script ou la fabrique des tests posent le statut sans
    passer par la tâche : il vaut tel quel, quel que soit le jour."""
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    assert periode.statut_aligne_le is None
    assert periode.statut_du_jour(J(2026, 1, 1)) == StatutPeriode.OUVERTE
    assert services.saisie_modifiable(None, periode)


def test_une_periode_rouverte_dans_l_admin_reste_ouverte_jusqu_au_passage_suivant(client, ada):
    planifier_periodes(aujourd_hui=J(2025, 6, 30))  # le T1 est fermé
    periode = t1_2025()
    client.force_login(ada)
    reponse = client.post(
        reverse("admin:indicateurs_periode_change", args=[periode.pk]),
        {
            "annee": "2025",
            "trimestre": "1",
            "debut": "2025-01-01",
            "fin": "2025-03-31",
            "echeance": "2025-04-30",
            "statut": StatutPeriode.OUVERTE,
        },
    )
    assert reponse.status_code == 302
    periode.refresh_from_db()
    assert periode.statut == StatutPeriode.OUVERTE
    assert periode.statut_aligne_le == J(2025, 6, 30)  # l'admin ne l'efface pas

    # Rouverte à la main : elle le reste, même le lendemain avant le passage de la tâche...
    assert periode.statut_du_jour(J(2025, 6, 30)) == StatutPeriode.OUVERTE
    assert periode.statut_du_jour(J(2025, 7, 1)) == StatutPeriode.OUVERTE
    # ... qui la remet sur le calendrier, comme avant.
    planifier_periodes(aujourd_hui=J(2025, 7, 1))
    assert t1_2025().statut_du_jour(J(2025, 7, 1)) == StatutPeriode.FERMEE


# --- Les rappels et beat ------------------------------------------------------------------------


def test_aucun_rappel_de_retard_pour_une_periode_fermee_a_minuit(alice, quartier_a, mailoutbox):
    IndicateurSuiviFactory(quartier=quartier_a)
    planifier_periodes(aujourd_hui=DERNIER_JOUR_DU_T1)
    Saisie.objects.create(table=quartier_a.table, periode=t1_2025(), statut=StatutSaisie.BROUILLON)

    assert envoyer_rappels(aujourd_hui=J(2025, 6, 30)) == 0
    assert not mailoutbox and not RappelEnvoye.objects.exists()
    assert envoyer_rappels(aujourd_hui=DERNIER_JOUR_DU_T1) == 1  # la veille, encore dû


def test_beat_aligne_le_statut_juste_apres_minuit(settings):
    par_tache = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}

    assert par_tache["indicateurs.planifier_periodes"] == crontab(hour=0, minute=1)
    assert settings.CELERY_TIMEZONE == "America/Montreal"
