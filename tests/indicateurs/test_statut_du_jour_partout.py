"""Une règle d'ouverture, lue partout : ce qui propose une période où écrire (l'import, le
modèle d'import, les périodes d'un apprentissage, la boîte de saisie) suit
`Periode.statut_du_jour`, comme le formulaire et l'API, et non le statut enregistré, que la
tâche du calendrier n'aligne qu'après minuit. Sans cela, le 16 juin à 0 h 30 (T2 ouvert selon
le calendrier, tâche pas encore passée), l'import refusait le T2 « à venir » que le formulaire
acceptait, et le 30 juin à 0 h 45 la boîte proposait le T1, fermé depuis minuit, dont le lien
refusait la saisie."""

from __future__ import annotations

import datetime
import zoneinfo
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import importation, selectors, services
from indicateurs.forms import ApprentissageForm
from indicateurs.modele_import import periode_du_modele
from indicateurs.models import Periode, StatutPeriode
from indicateurs.periodes import planifier_periodes
from tests.factories import IndicateurSuiviFactory

pytestmark = pytest.mark.django_db
MONTREAL = zoneinfo.ZoneInfo("America/Montreal")


@pytest.fixture(autouse=True)
def reglages(settings):
    settings.EVALPIC_OUVERTURE_JOURS_AVANT_FIN = 14
    settings.EVALPIC_ECHEANCE_JOURS_APRES_FIN = 30
    settings.EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE = 60
    settings.TIME_ZONE = "America/Montreal"


def a_montreal(annee, mois, jour, heure, minute):
    instant = datetime.datetime(annee, mois, jour, heure, minute, tzinfo=MONTREAL)
    return mock.patch("django.utils.timezone.now", return_value=instant.astimezone(datetime.UTC))


@pytest.fixture
def t2_ouvert_avant_la_tache(quartier_a):
    """Le 16 juin 2025 à 0 h 30 : le T2 s'est ouvert à minuit (fin − 14 jours), la tâche l'a
    aligné « à venir » la veille et n'est pas encore passée."""
    suivi = IndicateurSuiviFactory(quartier=quartier_a)
    planifier_periodes(aujourd_hui=datetime.date(2025, 6, 15))
    with a_montreal(2025, 6, 16, 0, 30):
        t2 = Periode.objects.get(annee=2025, trimestre=2)
        assert t2.statut == StatutPeriode.A_VENIR
        assert t2.statut_du_jour() == StatutPeriode.OUVERTE
        assert services.saisie_modifiable(None, t2)  # le formulaire et l'API l'acceptent
        yield t2, suivi.indicateur


def test_l_import_accepte_une_periode_ouverte_ce_jour_la(t2_ouvert_avant_la_tache, quartier_a):
    _, indicateur = t2_ouvert_avant_la_tache
    ligne = {"periode": "2025-T2", "indicateur": indicateur.code, "valeur": "3"}
    ligne |= {"non_disponible": "", "raison": "", "commentaire": ""}

    rapport = importation.verifier_import(table=quartier_a.table, lignes=[ligne])

    assert [str(p.message) for p in rapport.problemes] == []
    assert [v.periode.code for v in rapport.lignes_valides] == ["2025-T2"]


def test_l_import_refuse_encore_une_periode_a_venir_ce_jour_la(quartier_a):
    indicateur = IndicateurSuiviFactory(quartier=quartier_a).indicateur
    planifier_periodes(aujourd_hui=datetime.date(2025, 6, 14))
    ligne = {"periode": "2025-T2", "indicateur": indicateur.code, "valeur": "3"}
    ligne |= {"non_disponible": "", "raison": "", "commentaire": ""}
    with a_montreal(2025, 6, 15, 23, 30):  # le T2 s'ouvre le 16
        rapport = importation.verifier_import(table=quartier_a.table, lignes=[ligne])

    assert any("à venir" in str(p.message) for p in rapport.problemes)


def test_le_modele_d_import_preremplit_la_periode_ouverte_ce_jour_la(t2_ouvert_avant_la_tache):
    t2, _ = t2_ouvert_avant_la_tache

    with CaptureQueriesContext(connection) as requetes:
        assert periode_du_modele() == t2  # et non le T1, ouvert lui aussi

    assert len(requetes.captured_queries) == 1


def test_un_apprentissage_se_rattache_a_la_periode_ouverte_ce_jour_la(
    t2_ouvert_avant_la_tache, alice, quartier_a
):
    formulaire = ApprentissageForm(quartier=quartier_a, utilisateur=alice)

    codes = [code for code, _ in formulaire.fields["periode"].choices]
    assert codes == ["2025-T2", "2025-T1"]
    assert formulaire.fields["periode"].initial == "2025-T2"


def test_la_boite_propose_la_periode_ouverte_ce_jour_la(t2_ouvert_avant_la_tache, alice):
    t2, _ = t2_ouvert_avant_la_tache

    assert [ligne.periode for ligne in selectors.boite_de_saisie(alice)][:1] == [t2]


def test_la_boite_ne_propose_plus_une_periode_fermee_depuis_minuit(client, alice, quartier_a):
    IndicateurSuiviFactory(quartier=quartier_a)
    planifier_periodes(aujourd_hui=datetime.date(2025, 6, 29))  # T1 ouvert, aligné le 29
    with a_montreal(2025, 6, 30, 0, 45):
        t1 = Periode.objects.get(annee=2025, trimestre=1)
        assert t1.statut == StatutPeriode.OUVERTE
        assert t1.statut_du_jour() == StatutPeriode.FERMEE
        assert not services.saisie_modifiable(None, t1)  # son lien refuse la saisie

        periodes = [ligne.periode.code for ligne in selectors.boite_de_saisie(alice)]

    assert periodes == ["2025-T2"]


def test_les_periodes_commencees_ce_jour_la_en_une_requete(t2_ouvert_avant_la_tache):
    with CaptureQueriesContext(connection) as requetes:
        periodes = Periode.objects.commencees_ce_jour()

    assert [p.code for p in periodes] == ["2025-T2", "2025-T1"]
    assert len(requetes.captured_queries) == 1


def test_la_liste_des_apprentissages_filtre_sur_la_periode_ouverte_ce_jour_la(
    t2_ouvert_avant_la_tache, client, alice
):
    """Le formulaire propose le T2 ouvert à minuit : le filtre de la liste le connaît aussi
    (avant : 400, « choix invalide », pour un apprentissage qu'on venait d'y écrire)."""
    client.force_login(alice)
    adresse = reverse("apprentissages", kwargs={"slug": "quartier-a"})
    reponse = client.get(adresse, {"periode": "2025-T2"})
    assert reponse.status_code == 200
