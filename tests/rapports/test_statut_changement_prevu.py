"""« En bonne voie » se mesure sur le changement prévu (de la référence à la cible), et non sur
la valeur de la cible : la projection couvre au moins 90 % du chemin et fait mieux que la
référence. Sans référence, la règle d'avant (à 10 % près de la cible). Les deux chemins du
statut (séries en Python, résumés en SQL de la vue d'ensemble) disent la même chose aux
limites."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from indicateurs.models import Cible, Saisie, Valeur
from indicateurs.models.saisies import STATUTS_PUBLIES
from rapports.lectures import Filtre, lire_series, lire_suivis
from rapports.resumes import lire_resumes
from rapports.series import Point, SerieIndicateur, Statut
from rapports.statuts import statut, statut_du_resume, trimestre_suivant
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre

# Les valeurs commencent en 2025-T1 (x = 0), une par trimestre; la cible est en 2026-T4 (x = 7) :
# la valeur projetée est a + 7 × pente.
CIBLE_EN = "2026-T4"


def serie(
    valeurs: list,
    *,
    cible,
    reference=None,
    polarite: str = "hausse",
    unite: str = "nombre",
) -> SerieIndicateur:
    def point(code: str, valeur) -> Point:
        annee, trimestre = (int(x) for x in code.split("-T"))
        return Point(code, code, datetime.date(annee, 3 * trimestre - 2, 1), Decimal(str(valeur)))

    return SerieIndicateur(
        code="IND",
        nom="Indicateur",
        unite=unite,
        polarite=polarite,
        reference=None if reference is None else Decimal(str(reference)),
        points=[point(trimestre_suivant("2025-T1", k), v) for k, v in enumerate(valeurs)],
        cibles=[point(CIBLE_EN, cible)],
    )


# Chaque cas : valeurs, référence, cible, polarité, unité, statut attendu.
CAS = {
    # Le cas de la démo (bilan du PIC T2 2026, diversité de Côte-des-Neiges) : projetée 1,960,
    # à peine au-dessus de la référence (2,5 % du chemin vers 2,079). Avant : en bonne voie, le
    # seuil (2,079 − 10 %) étant 1,871, sous la référence.
    "demo_diversite": (
        ["1.946", "1.948", "1.950", "1.952"], "1.957", "2.079", "hausse", "indice",
        Statut.A_SURVEILLER,
    ),
    # Référence 10, cible 20 : il faut une projection d'au moins 19 (90 % de +10).
    "hausse_90_pour_cent_tout_juste": ([12, 13, 14, 15], 10, 20, "hausse", "nombre",
                                       Statut.EN_BONNE_VOIE),
    "hausse_80_pour_cent": ([11, 12, 13, 14], 10, 20, "hausse", "nombre", Statut.A_SURVEILLER),
    "hausse_un_rien_sous_90": ([12, 13, 14, 15], 10, "20.0002", "hausse", "nombre",
                               Statut.A_SURVEILLER),
    # Projetée 9,7, sous la référence 10 (avant : 9,7 ≥ 10,5 − 1,05, en bonne voie).
    "hausse_sous_la_reference": (["9", "9.1", "9.2", "9.3"], 10, "10.5", "hausse", "nombre",
                                 Statut.A_SURVEILLER),
    # Baisse : référence 20, cible 10, projetée 11 (90 %) puis 11,1 (89 %).
    "baisse_90_pour_cent": ([18, 17, 16, 15], 20, 10, "baisse", "nombre", Statut.EN_BONNE_VOIE),
    "baisse_89_pour_cent": (["18.1", "17.1", "16.1", "15.1"], 20, 10, "baisse", "nombre",
                            Statut.A_SURVEILLER),
    # Une échelle de 1 à 5 : 10 % de la cible (0,4) dépassait tout le gain visé (0,3).
    "echelle_gain_faible": (["2.70", "2.72", "2.74", "2.76"], "2.8", "3.1", "hausse", "echelle",
                            Statut.A_SURVEILLER),
    "echelle_gain_couvert": (["2.60", "2.67", "2.74", "2.81"], "2.8", "3.1", "hausse", "echelle",
                             Statut.EN_BONNE_VOIE),
    # Cible en deçà de la référence : faire mieux que la référence (projetée 11), pas l'égaler
    # (projetée 10; avant : 10 ≥ 8, en bonne voie).
    "cible_en_deca_mieux_que_la_reference": ([4, 5, 6, 7], 10, 8, "hausse", "nombre",
                                              Statut.EN_BONNE_VOIE),
    "cible_en_deca_a_la_reference": ([3, 4, 5, 6], 10, 8, "hausse", "nombre",
                                      Statut.A_SURVEILLER),
    # Cible égale à la référence : projetée 9, sous la référence (avant : 9 ≥ 10 − 1).
    "cible_egale_reference_en_deca": ([2, 3, 4, 5], 10, 10, "hausse", "nombre",
                                       Statut.A_SURVEILLER),
    "cible_egale_reference_au_dela": ([6, 7, 8, 9], 10, 10, "hausse", "nombre",
                                       Statut.EN_BONNE_VOIE),
    # Neutre, référence 100, cible 110 : à 1 (10 % de +10) près de la cible, d'un côté ou de
    # l'autre (avant : à 11 près).
    "neutre_109": ([95, 97, 99, 101], 100, 110, "neutre", "nombre", Statut.EN_BONNE_VOIE),
    "neutre_108": ([94, 96, 98, 100], 100, 110, "neutre", "nombre", Statut.A_SURVEILLER),
    "neutre_111": ([97, 99, 101, 103], 100, 110, "neutre", "nombre", Statut.EN_BONNE_VOIE),
    "neutre_112": ([98, 100, 102, 104], 100, 110, "neutre", "nombre", Statut.A_SURVEILLER),
    # Neutre, cible égale à la référence : la règle d'avant (projetée 101, à 10 % de 100).
    "neutre_cible_egale_reference": ([80, 83, 86, 89], 100, 100, "neutre", "nombre",
                                     Statut.EN_BONNE_VOIE),
    # Sans référence : la règle d'avant, à 10 % près de la cible (projetée 24, cible 26,6).
    "sans_reference": ([10, 12, 14, 16], None, "26.6", "hausse", "nombre", Statut.EN_BONNE_VOIE),
    # Bornes : un pourcentage neutre qui monte vers 99 dépasserait 100 (projetée 126, à 27 de
    # la cible); bornée à 100, la projection est à 1 de la cible (10 % de +19 : 1,9).
    "pourcentage_borne": ([70, 78, 86, 94], 80, 99, "neutre", "pourcentage",
                          Statut.EN_BONNE_VOIE),
}  # fmt: skip


@pytest.mark.parametrize("nom", CAS)
def test_en_bonne_voie_selon_le_changement_prevu(nom):
    valeurs, reference, cible, polarite, unite, attendu = CAS[nom]
    s = serie(valeurs, cible=cible, reference=reference, polarite=polarite, unite=unite)
    assert statut(s) == attendu


@pytest.mark.django_db
def test_resumes_sql_et_series_disent_le_meme_statut_aux_limites():
    """Chaque cas devient un suivi en base : la vue d'ensemble (résumés SQL) et les séries
    donnent le statut attendu."""
    quartier = QuartierFactory(nom="Limites", slug="limites")
    periodes = [periode_du_trimestre(2025, t) for t in (1, 2, 3, 4)]
    echeance = periode_du_trimestre(2026, 4)
    saisies = [
        Saisie.objects.create(table=quartier.table, periode=p, statut="validee") for p in periodes
    ]
    suivis = {}
    for nom, (valeurs, reference, cible, polarite, unite, _attendu) in CAS.items():
        suivi = suivis[nom] = IndicateurSuiviFactory(
            quartier=quartier,
            indicateur__code=nom.replace("_", "-"),
            indicateur__polarite=polarite,
            indicateur__unite=unite,
            valeur_reference=None if reference is None else Decimal(str(reference)),
        )
        Cible.objects.create(suivi=suivi, periode=echeance, valeur=Decimal(str(cible)))
        for saisie, valeur in zip(saisies, valeurs, strict=True):
            Valeur.objects.create(
                saisie=saisie, indicateur=suivi.indicateur, valeur_numerique=Decimal(str(valeur))
            )
    filtre = Filtre(periodes=tuple(periodes))
    lus = lire_suivis([quartier], filtre)
    par_sql = lire_resumes([quartier.pk], lus, periodes, STATUTS_PUBLIES)
    series = {s.code: s for s in lire_series([quartier], filtre, suivis=lus)[quartier.pk]}
    for nom, suivi in suivis.items():
        attendu = CAS[nom][-1]
        serie_lue = series[suivi.indicateur.code]
        assert statut(serie_lue) == attendu, nom
        assert statut_du_resume(par_sql[(quartier.pk, suivi.indicateur_id)]) == attendu, nom
