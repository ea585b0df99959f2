"""La cible de fin d'un plan, des années après le dernier trimestre affiché, est lue, dessinée et
juge le statut. Les séries ne lisaient les cibles que jusqu'à un an après l'intervalle
(`lectures.HORIZON_DES_CIBLES`), la vue d'ensemble aussi (`resumes.lire_resumes`) : une stratégie
de cinq ans avec une seule cible finale était jugée sur sa seule référence (« en bonne voie »
pour toute valeur au-dessus), et la cible n'était pas dessinée. La projection de la tendance,
elle, va jusqu'à l'échéance de la cible (`statuts.valeur_projetee`) : une cible à cinq ans se
juge au rythme de la tendance, pas sur ce qu'elle fera en un an."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from indicateurs.models import Cible, Saisie, Valeur
from indicateurs.models.saisies import STATUTS_PUBLIES
from rapports.graphiques import courbe_a_renverser
from rapports.instantane import construire_instantane
from rapports.lectures import Filtre, lire_series, lire_suivis
from rapports.models import Bilan
from rapports.resumes import lire_resumes
from rapports.series import Statut
from rapports.statuts import droite, resumer, statut, statut_du_resume, valeur_projetee
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_de_cinq_ans():
    """Douze trimestres de 2023 à 2025, valeurs 10, 12, … 32 (référence 10, +2 par trimestre),
    et une seule cible, à la fin du plan en 2030-T4 : 60 pour « atteignable » (la droite y vaut
    72, et 62 ≥ 90 % des 50 prévus), 100 pour « trop loin » (72 : 62 < 81)."""
    quartier = QuartierFactory(nom="Plan", slug="plan")
    suivis = {
        nom: IndicateurSuiviFactory(
            quartier=quartier, valeur_reference=Decimal(10), indicateur__polarite="hausse"
        )
        for nom in ("atteignable", "trop_loin")
    }
    periodes = [periode_du_trimestre(2023 + r // 4, r % 4 + 1) for r in range(12)]
    fin_du_plan = periode_du_trimestre(2030, 4, statut="a_venir")
    Cible.objects.create(suivi=suivis["atteignable"], periode=fin_du_plan, valeur=60)
    Cible.objects.create(suivi=suivis["trop_loin"], periode=fin_du_plan, valeur=100)
    for rang, periode in enumerate(periodes):
        saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
        for suivi in suivis.values():
            Valeur.objects.create(
                saisie=saisie, indicateur=suivi.indicateur, valeur_numerique=10 + 2 * rang
            )
    return quartier, suivis, periodes


def _series(quartier, periodes) -> dict:
    filtre = Filtre(periodes=tuple(periodes))
    return {s.code: s for s in lire_series([quartier], filtre)[quartier.pk]}


def test_la_cible_de_fin_de_plan_est_lue_et_juge_le_statut(plan_de_cinq_ans):
    quartier, suivis, periodes = plan_de_cinq_ans
    series = _series(quartier, periodes)
    atteignable = series[suivis["atteignable"].indicateur.code]
    trop_loin = series[suivis["trop_loin"].indicateur.code]
    assert [(c.periode, c.valeur) for c in atteignable.cibles] == [("2030-T4", Decimal(60))]
    # Au rythme de +2 par trimestre, 72 en 2030 : la cible de 60 est en vue, celle de 100 non.
    # (Avant : aucune cible lue, les deux « en bonne voie » d'après la seule référence.)
    assert statut(atteignable) == Statut.EN_BONNE_VOIE
    assert statut(trop_loin) == Statut.A_SURVEILLER


def test_la_projection_va_jusqu_a_l_echeance_de_la_cible(plan_de_cinq_ans):
    """Arrêtée à la dernière projection dessinée (40 en 2026-T4), la tendance ne couvrait que
    30 des 50 prévus : « à surveiller » pour une cible qu'elle atteint à son échéance."""
    quartier, suivis, periodes = plan_de_cinq_ans
    serie = _series(quartier, periodes)[suivis["atteignable"].indicateur.code]
    resume = resumer(serie)
    ligne = droite(resume.sommes)
    assert valeur_projetee(resume, ligne, "2026-T4") == Decimal(40)  # la dernière dessinée
    assert valeur_projetee(resume, ligne, "2030-T4") == Decimal(72)  # avant : 40
    assert statut(serie) == Statut.EN_BONNE_VOIE


def test_la_cible_de_fin_de_plan_est_dessinee(plan_de_cinq_ans):
    quartier, suivis, periodes = plan_de_cinq_ans
    serie = _series(quartier, periodes)[suivis["trop_loin"].indicateur.code]
    with translation.override("fr"):
        figure = courbe_a_renverser(serie)
    (cibles,) = [t for t in figure["data"] if t["name"] == "Cibles"]
    assert cibles["x"] == ["T4 2030"] and cibles["y"] == [100.0]


def test_la_vue_d_ensemble_dit_le_meme_statut_que_les_series(plan_de_cinq_ans):
    quartier, suivis, periodes = plan_de_cinq_ans
    for taille in (12, 8, 2):
        filtre = Filtre(periodes=tuple(periodes[-taille:]))
        suivis_lus = lire_suivis([quartier], filtre)
        par_sql = lire_resumes([quartier.pk], suivis_lus, list(filtre.periodes), STATUTS_PUBLIES)
        for serie in lire_series([quartier], filtre, suivis=suivis_lus)[quartier.pk]:
            indicateur = next(
                s.indicateur_id for s in suivis_lus if s.indicateur__code == serie.code
            )
            resume = par_sql[(quartier.pk, indicateur)]
            assert resume == resumer(serie), (serie.code, taille)
            assert resume.cible is not None and resume.cible[0] == "2030-T4"
            assert statut_du_resume(resume) == statut(serie)
    attendus = {suivis["atteignable"].indicateur_id: Statut.EN_BONNE_VOIE}
    attendus[suivis["trop_loin"].indicateur_id] = Statut.A_SURVEILLER
    filtre = Filtre(periodes=tuple(periodes))
    par_sql = lire_resumes(
        [quartier.pk], lire_suivis([quartier], filtre), periodes, STATUTS_PUBLIES
    )
    assert {i: statut_du_resume(r) for (_q, i), r in par_sql.items()} == attendus


def test_seule_la_premiere_cible_a_venir_est_lue_au_dela_d_un_an():
    """Au-delà de l'année qui suit l'intervalle, la première cible à venir et elle seule : les
    jalons suivants ne décident pas du statut. Une cible passée d'avant l'intervalle n'est plus
    lue quand une cible à venir existe (elle ne décide plus de rien)."""
    quartier = QuartierFactory(nom="Jalons", slug="jalons")
    suivi = IndicateurSuiviFactory(quartier=quartier)
    periodes = [periode_du_trimestre(2024, t) for t in (1, 2, 3, 4)]
    Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(2021, 4), valeur=5)
    for annee in (2028, 2029, 2030):
        Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(annee, 4), valeur=annee)
    (serie,) = lire_series([quartier], Filtre(periodes=tuple(periodes)))[quartier.pk]
    assert [c.periode for c in serie.cibles] == ["2028-T4"]


def test_le_bilan_fige_la_cible_de_fin_de_plan_et_son_statut(plan_de_cinq_ans):
    quartier, suivis, _periodes = plan_de_cinq_ans
    bilan = Bilan(portee="quartier", quartier=quartier, annee=2025, trimestre=4)
    series = {s["code"]: s for s in construire_instantane(bilan)["quartiers"][0]["series"]}
    atteignable = series[suivis["atteignable"].indicateur.code]
    assert atteignable["cibles"] == [{"periode": "2030-T4", "libelle": "T4 2030", "valeur": "60"}]
    assert atteignable["statut"] == Statut.EN_BONNE_VOIE
    assert series[suivis["trop_loin"].indicateur.code]["statut"] == Statut.A_SURVEILLER
