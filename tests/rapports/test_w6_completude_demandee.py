"""Un trimestre transmis se juge sur ce que le formulaire demandait quand il a été soumis, pas sur
les indicateurs que la table suit aujourd'hui. Avant, la carte de complétude de la vue d'ensemble
(`lectures.parts_renseignees`) et le bilan (`instantane._completudes`) lisaient les suivis du
jour : suivre un neuvième indicateur faisait tomber chaque trimestre validé de 100 % à 88,9 %, et
le bilan annuel régénéré listait douze « manquantes » pour un indicateur jamais demandé. La
soumission (le même service pour le formulaire et l'API) note maintenant sur chaque valeur si
elle était demandée (`Valeur.demandee`)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicateurs import services
from indicateurs.models import IndicateurSuivi, Saisie, StatutPeriode, Valeur
from indicateurs.validation import DonneeValeur
from rapports.instantane import construire_instantane
from rapports.lectures import parts_renseignees
from rapports.models import Bilan
from tests.factories import IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _periodes():
    return [periode_du_trimestre(2025, t, statut=StatutPeriode.OUVERTE) for t in (1, 2, 3, 4)]


def _transmettre(quartier, periode, auteur, validateur=None) -> Saisie:
    """Saisit une valeur pour chaque indicateur que le formulaire demande, soumet (et valide)."""
    donnees = {
        i.pk: DonneeValeur(valeur=Decimal(10))
        for i in services.indicateurs_a_saisir(quartier.table)
    }
    enregistrement = services.enregistrer_saisie(
        table=quartier.table, periode=periode, auteur=auteur, version=1, donnees=donnees
    )
    saisie = enregistrement.saisie
    saisie = services.soumettre_saisie(saisie=saisie, auteur=auteur, version=saisie.version)
    if validateur:
        saisie = services.valider_saisie(saisie=saisie, auteur=validateur, version=saisie.version)
    return saisie


@pytest.fixture
def huit_indicateurs_transmis(quartier_a, alice, eve):
    """Quartier A saisit huit indicateurs; ses quatre trimestres de 2025 sont validés."""
    suivis = [IndicateurSuiviFactory(quartier=quartier_a) for _ in range(8)]
    periodes = _periodes()
    for periode in periodes:
        _transmettre(quartier_a, periode, alice, eve)
    return quartier_a, suivis, periodes


def test_la_soumission_note_ce_qui_etait_demande(quartier_a, alice):
    suivis = [IndicateurSuiviFactory(quartier=quartier_a) for _ in range(3)]
    (periode, *_autres) = _periodes()
    donnees = {s.indicateur_id: DonneeValeur(valeur=Decimal(5)) for s in suivis}
    saisie = services.enregistrer_saisie(
        table=quartier_a.table, periode=periode, auteur=alice, version=1, donnees=donnees
    ).saisie
    assert set(saisie.valeurs.values_list("demandee", flat=True)) == {None}  # brouillon
    # Le troisième n'est plus suivi avant la soumission : sa valeur reste, non demandée.
    IndicateurSuivi.objects.filter(pk=suivis[2].pk).update(actif=False)
    services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)
    demandees = dict(saisie.valeurs.values_list("indicateur_id", "demandee"))
    assert demandees == {suivis[0].indicateur_id: True, suivis[1].indicateur_id: True,
                         suivis[2].indicateur_id: False}  # fmt: skip


def test_un_indicateur_suivi_aujourd_hui_ne_fait_pas_baisser_les_trimestres_transmis(
    huit_indicateurs_transmis,
):
    quartier, _suivis, periodes = huit_indicateurs_transmis
    assert set(parts_renseignees([quartier], periodes).values()) == {100.0}
    IndicateurSuiviFactory(quartier=quartier)  # un neuvième, suivi à partir d'aujourd'hui
    # Avant : 88,9 % à chaque trimestre validé.
    assert set(parts_renseignees([quartier], periodes).values()) == {100.0}
    # Un trimestre où rien n'est transmis attend ce que la table saisit aujourd'hui : 0 sur 9.
    suivant = periode_du_trimestre(2026, 1, statut=StatutPeriode.OUVERTE)
    assert parts_renseignees([quartier], [suivant]) == {(quartier.pk, suivant.pk): 0.0}


def test_un_indicateur_qui_n_est_plus_saisi_compte_encore_la_ou_il_etait_demande(
    huit_indicateurs_transmis, alice
):
    quartier, suivis, periodes = huit_indicateurs_transmis
    # Une valeur demandée effacée après coup (par l'administration) : 7 sur 8, même une fois
    # l'indicateur retiré des suivis. Avant : 7 sur 7, 100 %.
    Valeur.objects.filter(
        saisie__periode=periodes[0], indicateur_id=suivis[0].indicateur_id
    ).update(valeur_numerique=None)
    IndicateurSuivi.objects.filter(pk=suivis[0].pk).update(actif=False)
    parts = parts_renseignees([quartier], periodes)
    assert parts[(quartier.pk, periodes[0].pk)] == 87.5
    assert parts[(quartier.pk, periodes[1].pk)] == 100.0


def test_une_saisie_soumise_avant_la_note_se_compte_sur_les_suivis_du_jour(
    huit_indicateurs_transmis,
):
    """Sans `demandee` (soumise avant cette version, ou par un autre chemin), on ne sait plus
    ce qui était demandé : la règle d'avant, les suivis du jour."""
    quartier, _suivis, periodes = huit_indicateurs_transmis
    Valeur.objects.filter(saisie__periode=periodes[0]).update(demandee=None)
    IndicateurSuiviFactory(quartier=quartier)
    parts = parts_renseignees([quartier], periodes)
    assert parts[(quartier.pk, periodes[0].pk)] == round(100 * 8 / 9, 1)
    assert parts[(quartier.pk, periodes[1].pk)] == 100.0


def test_le_bilan_annuel_ne_liste_pas_de_manquantes_pour_un_indicateur_jamais_demande(
    huit_indicateurs_transmis,
):
    quartier, _suivis, _periodes = huit_indicateurs_transmis
    nouveau = IndicateurSuiviFactory(quartier=quartier)
    bilan = Bilan(portee="quartier", quartier=quartier, annee=2025)
    (donnees,) = construire_instantane(bilan)["quartiers"]
    completude = donnees["completude"]
    # Avant : 36 attendues, 32 présentes, 4 manquantes (le neuvième, à chaque trimestre).
    assert (completude["attendues"], completude["renseignees"]) == (32, 32)
    assert completude["validees"] == 32
    assert completude["manquantes"] == []
    assert nouveau.indicateur.code not in {m["indicateur"] for m in completude["manquantes"]}


def test_la_soumission_par_l_api_note_aussi_ce_qui_etait_demande(quartier_a, alice, client):
    suivis = [IndicateurSuiviFactory(quartier=quartier_a) for _ in range(2)]
    (periode, *_autres) = _periodes()
    donnees = {s.indicateur_id: DonneeValeur(valeur=Decimal(5)) for s in suivis}
    saisie = services.enregistrer_saisie(
        table=quartier_a.table, periode=periode, auteur=alice, version=1, donnees=donnees
    ).saisie
    client.force_login(alice)
    reponse = client.post(
        f"/api/v1/saisies/{saisie.pk}/soumettre/", HTTP_IF_MATCH=f'"{saisie.version}"'
    )
    assert reponse.status_code == 200, reponse.content
    assert set(saisie.valeurs.values_list("demandee", flat=True)) == {True}
    # La carte de la vue d'ensemble le lit.
    client.force_login(alice)
    assert client.get(reverse("tableau_pic")).status_code == 200
