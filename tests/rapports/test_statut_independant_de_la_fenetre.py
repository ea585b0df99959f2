"""Le statut d'un indicateur ne dépend pas de la longueur de l'intervalle montré, dès qu'il a au
moins huit trimestres : la tendance et la dernière valeur se lisent sur les valeurs des huit
derniers trimestres de l'intervalle (`statuts.points_retenus`), et non sur ses huit dernières
valeurs. Avec un trimestre vide parmi les huit derniers, les « huit dernières valeurs » allaient
chercher une valeur d'avant : sur 12 trimestres (tableau de bord, bilan annuel), pas sur les 8 du
bilan trimestriel, et les statuts différaient pour les mêmes données (démo, bilan 2026-T3 :
saint-michel / cond-signalements-incivilites « à surveiller » dans le bilan, « en bonne voie » au
tableau de bord). Vérifié sur les séries (Python), les résumés SQL (vue d'ensemble), les bilans
trimestriel et annuel, le tableau de bord du quartier et la vue d'ensemble."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse

from indicateurs.models import Cible, Saisie, StatutPeriode, Valeur
from indicateurs.models.saisies import STATUTS_PUBLIES
from rapports.instantane import construire_instantane
from rapports.lectures import Filtre, lire_series, lire_suivis
from rapports.models import Bilan
from rapports.resumes import lire_resumes
from rapports.selectors import tableau_pic, tableau_quartier
from rapports.series import Statut
from rapports.statuts import (
    FENETRE_TENDANCE,
    droite,
    points_retenus,
    resumer,
    sommes_des_retenus,
    statut,
    statut_du_resume,
    tendance,
    trimestre_suivant,
)
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre
from tests.rapports.test_statuts import serie

PREMIER = "2023-T1"  # douze trimestres, de 2023-T1 à 2025-T4
TAILLES = (8, 10, 12)  # des intervalles qui finissent tous en 2025-T4

# Nom → (polarité, valeurs des douze trimestres, cibles, statut attendu). Le trimestre vide
# (2024-T3, le troisième des huit derniers) fait entrer dans les « huit dernières valeurs » celle
# de 2023-T4, juste avant les huit derniers trimestres : très différente des suivantes.
SERIES = {
    # Sans cible ni référence, le sens de la tendance décide : +1 par trimestre sur les huit
    # derniers; avec 100 en 2023-T4, la pente devenait négative (à surveiller).
    "tendance": ("hausse", [50, 50, 50, 100, 10, 11, None, 13, 14, 15, 16, 17], {}),
    # Avec une cible à venir, la projection décide : −2 par trimestre, 16 en 2025-T4, 8 en
    # 2026-T4 (la cible); avec 10 en 2023-T4, la pente s'aplatissait et la projection manquait.
    "cible": ("baisse", [10, 10, 10, 10, 30, 28, None, 24, 22, 20, 18, 16], {"2026-T4": 8}),
    # Aucune valeur dans les huit derniers trimestres : sans données, sur 8 comme sur 12 (les
    # « huit dernières valeurs » jugeaient sur 12 trimestres des valeurs de 2023).
    "ancienne": ("hausse", [10, 12, 14, 16] + [None] * 8, {}),
}
ATTENDUS = {
    "tendance": Statut.EN_BONNE_VOIE,
    "cible": Statut.EN_BONNE_VOIE,
    "ancienne": Statut.SANS_DONNEES,
}


def _serie(nom: str, taille: int):
    """La série `nom` sur les `taille` derniers de ses douze trimestres."""
    polarite, valeurs, cibles = SERIES[nom]
    depuis = trimestre_suivant(PREMIER, len(valeurs) - taille)
    return serie(valeurs[-taille:], depuis=depuis, polarite=polarite, cibles=cibles)


# --- Séries, sans base -----------------------------------------------------------------------


@pytest.mark.parametrize("nom", SERIES)
def test_meme_statut_et_meme_tendance_sur_8_10_et_12_trimestres(nom):
    series = {taille: _serie(nom, taille) for taille in TAILLES}
    assert {taille: statut(s) for taille, s in series.items()} == dict.fromkeys(
        TAILLES, ATTENDUS[nom]
    )
    tendances = {taille: tendance(s, libelles=False) for taille, s in series.items()}
    assert len(set(map(repr, tendances.values()))) == 1, tendances  # même droite, même projection
    if tendances[12] is not None:  # la droite commence aux huit derniers trimestres
        assert tendances[12].ajustees[0][0] == "2024-T1"


def test_les_huit_dernieres_valeurs_auraient_donne_un_autre_statut():
    """Le cas est bien celui du défaut : sur 12 trimestres, les huit dernières valeurs (et non
    les valeurs des huit derniers trimestres) vont chercher 2023-T4 et changent la pente."""
    for nom in ("tendance", "cible"):
        s = _serie(nom, 12)
        valeurs = [(x, p.valeur) for x, p in enumerate(s.points) if p.valeur is not None]
        huit_dernieres = valeurs[-FENETRE_TENDANCE:]
        assert huit_dernieres[0][0] == 3  # 2023-T4, avant les huit derniers trimestres
        retenus = points_retenus(s)
        assert len(retenus) == FENETRE_TENDANCE - 1 and retenus[0][0] == 4
        assert droite(sommes_des_retenus(huit_dernieres)).pente != tendance(s).pente
        ancienne_regle = resumer(s)._replace(sommes=sommes_des_retenus(huit_dernieres))
        assert statut_du_resume(ancienne_regle) == Statut.A_SURVEILLER != statut(s), nom


def test_plus_court_que_huit_trimestres_le_statut_porte_sur_ce_qui_est_affiche():
    courte = _serie("tendance", 4)  # 2025-T1 à 2025-T4 : 14, 15, 16, 17
    assert [x for x, _y in points_retenus(courte)] == [0, 1, 2, 3]
    assert tendance(courte).pente == Decimal("1.0000")
    assert statut(courte) == Statut.EN_BONNE_VOIE
    assert statut(_serie("ancienne", 4)) == Statut.SANS_DONNEES


# --- Base : résumés SQL, bilans, tableaux de bord -----------------------------------------------


@pytest.fixture
def trimestre_vide(db):
    """Les trois séries dans un quartier, saisies validées de 2023-T1 à 2025-T4; 2026-T4, la
    période de la cible, est à venir (hors des intervalles)."""
    quartier = QuartierFactory(nom="Trimestre vide", slug="trimestre-vide")
    periodes = [periode_du_trimestre(2023 + r // 4, r % 4 + 1) for r in range(12)]
    a_venir = periode_du_trimestre(2026, 4, statut=StatutPeriode.A_VENIR)
    suivis = {
        nom: IndicateurSuiviFactory(
            quartier=quartier,
            valeur_reference=None,
            indicateur__code=f"fenetre-{nom}",
            indicateur__polarite=polarite,
        )
        for nom, (polarite, _valeurs, _cibles) in SERIES.items()
    }
    saisies = [
        Saisie.objects.create(table=quartier.table, periode=p, statut="validee") for p in periodes
    ]
    for nom, (_polarite, valeurs, cibles) in SERIES.items():
        for saisie, valeur in zip(saisies, valeurs, strict=True):
            if valeur is not None:
                Valeur.objects.create(
                    saisie=saisie,
                    indicateur=suivis[nom].indicateur,
                    valeur_numerique=Decimal(valeur),
                )
        for _code, valeur in cibles.items():
            Cible.objects.create(suivi=suivis[nom], periode=a_venir, valeur=Decimal(valeur))
    return quartier, suivis, periodes


def _filtre(periodes, taille: int) -> Filtre:
    return Filtre(periodes=tuple(periodes[-taille:]))


def _attendus_par_code(suivis) -> dict[str, str]:
    return {suivis[nom].indicateur.code: statut.value for nom, statut in ATTENDUS.items()}


def test_resumes_sql_et_series_meme_statut_sur_8_10_et_12_trimestres(trimestre_vide):
    quartier, suivis, periodes = trimestre_vide
    for taille in TAILLES:
        filtre = _filtre(periodes, taille)
        suivis_lus = lire_suivis([quartier], filtre)
        par_sql = lire_resumes([quartier.pk], suivis_lus, list(filtre.periodes), STATUTS_PUBLIES)
        for s in lire_series([quartier], filtre, suivis=suivis_lus)[quartier.pk]:
            nom = s.code.removeprefix("fenetre-")
            resume = par_sql[(quartier.pk, suivis[nom].indicateur_id)]
            assert resume == resumer(s), (nom, taille)
            assert statut_du_resume(resume) == statut(s) == ATTENDUS[nom], (nom, taille)


def _statuts_du_bilan(quartier, trimestre: int | None) -> dict[str, str]:
    bilan = Bilan(portee="quartier", quartier=quartier, annee=2025, trimestre=trimestre)
    (lu,) = construire_instantane(bilan)["quartiers"]
    return {s["code"]: s["statut"] for s in lu["series"]}


def _statuts_de_la_page(client, quartier, suivis) -> dict[str, str]:
    """Le statut affiché à côté de chaque courbe du tableau du quartier (intervalle par défaut :
    les douze trimestres qui finissent en 2025-T4)."""
    page = client.get(reverse("tableau_quartier", args=[quartier.slug])).content.decode()
    statuts = {}
    for suivi in suivis.values():
        article = page[page.index(suivi.indicateur.nom_fr) :]
        debut = article.index('class="statut statut--') + len('class="statut statut--')
        statuts[suivi.indicateur.code] = article[debut : article.index('"', debut)]
    return statuts


def test_bilans_tableau_du_quartier_et_vue_d_ensemble_disent_le_meme_statut(
    trimestre_vide, eve, client
):
    quartier, suivis, periodes = trimestre_vide
    attendus = _attendus_par_code(suivis)
    bilan_trimestriel = _statuts_du_bilan(quartier, trimestre=4)  # 8 trimestres
    assert bilan_trimestriel == attendus
    assert _statuts_du_bilan(quartier, trimestre=None) == attendus  # 12 trimestres
    for taille in TAILLES:
        filtre = _filtre(periodes, taille)
        tableau = tableau_quartier(eve, quartier.slug, filtre)
        par_code = {s.code: code for g in tableau.groupes for s, code in g.series}
        assert par_code == bilan_trimestriel, taille
        (ligne,) = [lg for lg in tableau_pic(eve, filtre).lignes if lg.quartier == quartier]
        comptes = Counter(bilan_trimestriel.values())
        assert ligne.statuts == {s.value: comptes.get(s.value, 0) for s in Statut}, taille
    client.force_login(eve)
    assert _statuts_de_la_page(client, quartier, suivis) == bilan_trimestriel
