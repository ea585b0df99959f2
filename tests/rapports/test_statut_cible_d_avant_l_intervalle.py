"""Le statut d'un indicateur, à une date, ne dépend pas de la longueur de l'intervalle montré.
Quand l'intervalle (jusqu'à un an après sa fin) n'a aucune cible, toutes les cibles de la série
sont passées et la dernière d'avant l'intervalle décide (`statuts.cible_courante`). Elle était
perdue dès qu'elle sortait de l'intervalle : un bilan trimestriel (8 trimestres) disait « en
bonne voie » d'après la référence là où le bilan annuel et le tableau de bord (12 trimestres)
disaient « à surveiller », et la comparaison des deux bilans signalait un faux changement. Les
séries (`lectures._cibles`) et les résumés calculés en SQL (`resumes.lire_resumes`, la vue
d'ensemble) lisent les mêmes cibles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicateurs.models import Cible, Saisie, Valeur
from indicateurs.models.saisies import STATUTS_PUBLIES
from rapports.instantane import construire_instantane
from rapports.lectures import Filtre, lire_series, lire_suivis
from rapports.models import Bilan
from rapports.resumes import lire_resumes
from rapports.series import Statut
from rapports.statuts import resumer, statut, statut_du_resume
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


@pytest.fixture
def cible_manquee_en_2023():
    """Douze trimestres de 2023 à 2025, valeurs 10 à 21 (référence 10) et une seule cible, 50 à
    la fin de 2023 : manquée (13), et plus aucune depuis."""
    quartier = QuartierFactory(nom="Fenêtre", slug="fenetre")
    suivi = IndicateurSuiviFactory(
        quartier=quartier, valeur_reference=Decimal(10), indicateur__polarite="hausse"
    )
    periodes = [periode_du_trimestre(2023 + r // 4, r % 4 + 1) for r in range(12)]
    Cible.objects.create(suivi=suivi, periode=periodes[3], valeur=Decimal(50))
    for rang, periode in enumerate(periodes):
        saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
        Valeur.objects.create(
            saisie=saisie, indicateur=suivi.indicateur, valeur_numerique=Decimal(10 + rang)
        )
    return quartier, suivi, periodes


def _statut_du_bilan(quartier, trimestre: int | None) -> str:
    bilan = Bilan(portee="quartier", quartier=quartier, annee=2025, trimestre=trimestre)
    (serie,) = construire_instantane(bilan)["quartiers"][0]["series"]
    return serie["statut"]


def test_huit_et_douze_trimestres_donnent_le_meme_statut(cible_manquee_en_2023):
    quartier, suivi, periodes = cible_manquee_en_2023
    for taille in (12, 8, 2):
        filtre = Filtre(periodes=tuple(periodes[-taille:]))
        (serie,) = lire_series([quartier], filtre)[quartier.pk]
        # La cible de 2023 décide, même hors de l'intervalle : elle est manquée.
        assert [c.periode for c in serie.cibles] == ["2023-T4"], taille
        assert statut(serie) == Statut.A_SURVEILLER, taille
        resume = lire_resumes(
            [quartier.pk], lire_suivis([quartier], filtre), list(filtre.periodes), STATUTS_PUBLIES
        )[(quartier.pk, suivi.indicateur_id)]
        assert resume == resumer(serie), taille
        assert statut_du_resume(resume) == Statut.A_SURVEILLER, taille


def test_le_bilan_trimestriel_et_le_bilan_annuel_disent_le_meme_statut(cible_manquee_en_2023):
    quartier, _suivi, _periodes = cible_manquee_en_2023
    assert _statut_du_bilan(quartier, trimestre=4) == Statut.A_SURVEILLER
    assert _statut_du_bilan(quartier, trimestre=None) == Statut.A_SURVEILLER


def test_le_tableau_de_bord_dit_le_statut_du_bilan_trimestriel(cible_manquee_en_2023, eve, client):
    quartier, suivi, _periodes = cible_manquee_en_2023
    client.force_login(eve)
    page = client.get(reverse("tableau_quartier", args=[quartier.slug])).content.decode()
    article = page[page.index(suivi.indicateur.nom_fr) :]
    etiquette = article[article.index('class="statut statut--') :][:60]
    assert f'statut--{Statut.A_SURVEILLER.value}"' in etiquette
    assert _statut_du_bilan(quartier, trimestre=4) == Statut.A_SURVEILLER


def test_seule_la_derniere_cible_d_avant_est_lue_et_seulement_faute_de_cible_dans_l_intervalle():
    quartier = QuartierFactory(nom="Cibles", slug="cibles")
    sans, avec = (IndicateurSuiviFactory(quartier=quartier) for _ in range(2))
    periodes = [periode_du_trimestre(2021 + r // 4, r % 4 + 1) for r in range(20)]
    for suivi in (sans, avec):
        for annee_rang, valeur in ((3, 20), (7, 30), (11, 40)):  # fins de 2021, 2022, 2023
            Cible.objects.create(suivi=suivi, periode=periodes[annee_rang], valeur=valeur)
    Cible.objects.create(suivi=avec, periode=periodes[17], valeur=60)  # 2025-T2
    # Intervalle : 2024-T2 à 2024-T4, cibles lues jusqu'à un an après (2025-T4).
    filtre = Filtre(periodes=tuple(periodes[13:16]))
    series = {s.code: s for s in lire_series([quartier], filtre)[quartier.pk]}
    assert [c.periode for c in series[sans.indicateur.code].cibles] == ["2023-T4"]
    assert [c.periode for c in series[avec.indicateur.code].cibles] == ["2025-T2"]


def test_les_resumes_sql_choisissent_la_cible_des_series_sur_chaque_intervalle():
    """Cas limites, pour des intervalles de 1 à 12 trimestres qui finissent à chaque trimestre :
    cibles passées seulement (dont deux anciennes), cible au premier trimestre montré, cible
    ancienne et une autre au-delà de l'horizon, baisse avec cibles avant et après, série sans
    cible; une seule cible, à la fin d'un plan (2030), et une passée avec celle de 2030."""
    quartier = QuartierFactory(nom="Limites", slug="limites")
    periodes = [periode_du_trimestre(2022 + r // 4, r % 4 + 1) for r in range(16)]
    suivis = {
        nom: IndicateurSuiviFactory(quartier=quartier, indicateur__polarite=polarite)
        for nom, polarite in [
            ("passees", "hausse"),
            ("au_debut", "hausse"),
            ("lointaine", "hausse"),
            ("baisse", "baisse"),
            ("neutre", "neutre"),
            ("aucune", "hausse"),
            ("fin_de_plan", "baisse"),
            ("passee_et_fin_de_plan", "hausse"),
        ]
    }
    cibles = {
        "passees": [(0, 5), (2, 12), (5, 18)],
        "au_debut": [(4, 15), (8, 30)],
        "lointaine": [(1, 3)],
        "baisse": [(3, 40), (6, 33), (13, 20)],
        "neutre": [(2, 10), (9, 12)],
        "passee_et_fin_de_plan": [(6, 9)],
    }
    for nom, liste in cibles.items():
        for rang, valeur in liste:
            Cible.objects.create(suivi=suivis[nom], periode=periodes[rang], valeur=valeur)
    Cible.objects.create(
        suivi=suivis["lointaine"], periode=periode_du_trimestre(2028, 4), valeur=99
    )
    fin_du_plan = periode_du_trimestre(2030, 4)
    Cible.objects.create(suivi=suivis["fin_de_plan"], periode=fin_du_plan, valeur=2)
    Cible.objects.create(suivi=suivis["passee_et_fin_de_plan"], periode=fin_du_plan, valeur=70)
    for rang, periode in enumerate(periodes):
        saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
        for decalage, suivi in enumerate(suivis.values()):
            if (rang + decalage) % 5 != 3:  # des trous, à des trimestres différents
                Valeur.objects.create(
                    saisie=saisie,
                    indicateur=suivi.indicateur,
                    valeur_numerique=Decimal(
                        40 - 2 * rang if suivi.indicateur.polarite == "baisse" else 2 * rang
                    )
                    + decalage,
                )
    ids = {s.indicateur.code: s.indicateur_id for s in suivis.values()}
    vus = set()
    for fin in range(1, len(periodes) + 1):
        for taille in (1, 2, 3, 5, 8, 12):
            filtre = Filtre(periodes=tuple(periodes[max(0, fin - taille) : fin]))
            suivis_lus = lire_suivis([quartier], filtre)
            par_sql = lire_resumes(
                [quartier.pk], suivis_lus, list(filtre.periodes), STATUTS_PUBLIES
            )
            for serie in lire_series([quartier], filtre, suivis=suivis_lus)[quartier.pk]:
                resume, lieu = par_sql[(quartier.pk, ids[serie.code])], (serie.code, fin, taille)
                assert statut_du_resume(resume) == statut(serie), lieu
                # Sans valeur dans les huit derniers trimestres, ni l'un ni l'autre n'a de cible.
                assert resume == resumer(serie), lieu
                vus.add(statut(serie))
    assert vus == set(Statut)
