"""La règle, écrite une fois, d'un indicateur mesuré pour un quartier (`suivi_mesure`) et, pour
un indicateur que nomme une stratégie, pourquoi il ne l'est pas (`etat_de_mesure`) : retiré ou
proposé au catalogue, suivi devenu inactif (« plus suivi »), aucun suivi (« non suivi »)."""

from __future__ import annotations

import pytest
from django.utils import translation

from indicateurs.models import EtatDeMesure, Indicateur, StatutIndicateur
from indicateurs.models.catalogue import etat_de_mesure
from rapports.lectures import Filtre, suivis_filtres
from tests.factories import (
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cas():
    """Deux quartiers et un indicateur par cas, tous suivis par Beta (actifs)."""
    alpha, beta = QuartierFactory(nom="Alpha", slug="alpha"), QuartierFactory(nom="Beta")
    indicateurs = {
        "mesure": IndicateurFactory(code="mesure"),
        "retire": IndicateurFactory(code="retire", statut=StatutIndicateur.RETIRE),
        "retire_inactif": IndicateurFactory(code="retire-inactif", statut=StatutIndicateur.RETIRE),
        "propose": IndicateurFactory(code="propose", statut=StatutIndicateur.PROPOSE),
        "plus_suivi": IndicateurFactory(code="plus-suivi"),
        "non_suivi": IndicateurFactory(code="non-suivi"),
    }
    for cle, indicateur in indicateurs.items():
        if cle != "non_suivi":
            actif = cle not in ("plus_suivi", "retire_inactif")
            IndicateurSuiviFactory(quartier=alpha, indicateur=indicateur, actif=actif)
        IndicateurSuiviFactory(quartier=beta, indicateur=indicateur, actif=True)
    return alpha, beta, indicateurs


ATTENDUS = {
    "mesure": EtatDeMesure.MESURE,
    "retire": EtatDeMesure.RETIRE,
    "retire_inactif": EtatDeMesure.RETIRE,  # le catalogue l'emporte sur le suivi
    "propose": EtatDeMesure.PROPOSE,
    "plus_suivi": EtatDeMesure.PLUS_SUIVI,
    "non_suivi": EtatDeMesure.NON_SUIVI,
}


def test_l_etat_de_mesure_de_chaque_cas_pour_un_quartier(cas):
    alpha, _beta, indicateurs = cas
    etats = dict(
        Indicateur.objects.avec_etat_de_mesure(alpha).values_list("code", "etat_de_mesure")
    )
    assert {cle: etats[i.code] for cle, i in indicateurs.items()} == ATTENDUS


def test_l_etat_depend_du_quartier(cas):
    """Beta suit activement ce qu'Alpha ne suit plus : mesuré pour Beta, pas pour Alpha."""
    alpha, beta, indicateurs = cas
    code = indicateurs["plus_suivi"].code
    par_quartier = {
        q.nom: Indicateur.objects.avec_etat_de_mesure(q).get(code=code).etat_de_mesure
        for q in (alpha, beta)
    }
    assert par_quartier == {"Alpha": EtatDeMesure.PLUS_SUIVI, "Beta": EtatDeMesure.MESURE}
    # Un id vaut l'instance; le catalogue décide pour tous les quartiers.
    assert Indicateur.objects.avec_etat_de_mesure(beta.pk).get(code="retire").etat_de_mesure == (
        EtatDeMesure.RETIRE
    )


def test_mesure_si_et_seulement_si_les_tableaux_de_bord_en_montrent_la_courbe(cas):
    """Une règle : « mesuré » est exactement ce que lisent les tableaux de bord et les bilans
    (`suivis_filtres`)."""
    alpha, _beta, _indicateurs = cas
    mesures = set(
        Indicateur.objects.avec_etat_de_mesure(alpha)
        .filter(etat_de_mesure=EtatDeMesure.MESURE)
        .values_list("code", flat=True)
    )
    courbes = set(
        suivis_filtres([alpha], Filtre(periodes=())).values_list("indicateur__code", flat=True)
    )
    assert mesures == courbes == {"mesure"}


def test_l_etat_se_lit_depuis_la_table_de_liaison_d_un_changement(cas):
    """Le chemin « indicateur__ » : depuis les indicateurs d'un changement visé (le graphe de la
    théorie du changement), même réponse, en une requête."""
    alpha, _beta, indicateurs = cas
    changement = ChangementViseFactory(strategie__quartier=alpha)
    changement.indicateurs.set(indicateurs.values())
    lien = changement.indicateurs.through.objects.filter(changementvise=changement)
    lignes = dict(lien.values_list("indicateur__code", etat_de_mesure(alpha.pk, "indicateur__")))
    assert {cle: lignes[i.code] for cle, i in indicateurs.items()} == ATTENDUS


def test_les_mots_des_etats():
    """Les mots du catalogue sont ceux de son statut (« retiré » : « withdrawn » en anglais)."""
    mots = [EtatDeMesure.RETIRE, EtatDeMesure.PLUS_SUIVI, EtatDeMesure.NON_SUIVI]
    mots.append(EtatDeMesure.PROPOSE)
    with translation.override("fr"):
        assert [str(e.label) for e in mots] == ["retiré", "plus suivi", "non suivi", "proposé"]
    with translation.override("en"):
        assert str(EtatDeMesure.RETIRE.label) == str(StatutIndicateur.RETIRE.label) == "withdrawn"
        assert str(EtatDeMesure.PROPOSE.label) == "proposed"
    assert not EtatDeMesure.MESURE  # vide : « rien à marquer » dans un gabarit
