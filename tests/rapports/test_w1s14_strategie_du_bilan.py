"""Un bilan lit sa période avec la version de la stratégie de changement en vigueur à la fin de
cette période (la dernière adoptée à cette date, même archivée depuis), et non avec celle en
vigueur le jour où on le produit; sa méthodologie dit laquelle (numéro et date d'adoption) et,
quand ce n'est pas celle en vigueur à sa production, le dit.

Avant : la v2 archivée, une v3 adoptée le 1er septembre 2026, le bilan « Année 2025 » lisait
2025 avec la v3 (ses changements visés et ses regroupements d'indicateurs), et sa méthodologie
disait « la version de la stratégie de changement au moment de sa production »."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicateurs.models import StatutStrategie
from rapports import rendu
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import (
    ChangementViseFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

V2_ADOPTEE = datetime.date(2022, 3, 15)
V3_ADOPTEE = datetime.date(2026, 9, 1)


def _quartier(nom: str = "Saint-Michel", *, v3: bool = True):
    """Saint-Michel : v1 archivée (2019), v2 archivée (mars 2022), v3 en vigueur (septembre
    2026); chaque version a son changement visé, qui regroupe l'indicateur suivi."""
    quartier = QuartierFactory(nom=nom, slug=nom.lower())
    suivi = IndicateurSuiviFactory(quartier=quartier)
    versions = [
        (1, datetime.date(2019, 6, 15), StatutStrategie.ARCHIVEE),
        (2, V2_ADOPTEE, StatutStrategie.ARCHIVEE if v3 else StatutStrategie.EN_VIGUEUR),
    ]
    if v3:
        versions.append((3, V3_ADOPTEE, StatutStrategie.EN_VIGUEUR))
    for version, adoptee_le, statut in versions:
        strategie = StrategieFactory(
            quartier=quartier,
            version=version,
            titre=f"Stratégie v{version}",
            adoptee_le=adoptee_le,
            statut=statut,
        )
        changement = ChangementViseFactory(
            strategie=strategie, code=f"V{version}", libelle=f"Changement de la v{version}"
        )
        changement.indicateurs.set([suivi.indicateur])
    return quartier


def _periodes(*annees: int) -> None:
    for annee in annees:
        for trimestre in (1, 2, 3, 4):
            periode_du_trimestre(annee, trimestre)


def test_un_bilan_annuel_lit_sa_periode_avec_la_version_en_vigueur_a_sa_fin():
    _periodes(2025, 2026)
    quartier = _quartier()
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2025, trimestre=None)
    lu = construire_instantane(bilan)["quartiers"][0]
    assert lu["strategie"]["version"] == 2  # avant : 3, la version en vigueur aujourd'hui
    assert lu["strategie"]["adoptee_le"] == "2022-03-15"
    assert [c["code"] for c in lu["changements"]] == ["V2"]
    # Elle n'est plus en vigueur : l'instantané fige celle qui l'était à la production.
    assert lu["strategie"]["en_vigueur_a_la_production"] == {
        "version": 3,
        "titre": "Stratégie v3",
        "adoptee_le": "2026-09-01",
    }
    assert "par_defaut" not in lu["strategie"]


def test_la_fin_de_la_periode_decide_et_non_son_debut():
    _periodes(2022, 2026)
    quartier = _quartier()
    t1_2022 = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2022, trimestre=1)
    t2_2022 = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2022, trimestre=2)
    t3_2026 = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2026, trimestre=3)
    versions = [
        construire_instantane(b)["quartiers"][0]["strategie"]["version"]
        for b in (t1_2022, t2_2022, t3_2026)
    ]
    assert versions == [2, 2, 3]  # la v2 adoptée le 15 mars 2022, la v3 le 1er septembre 2026
    en_vigueur = construire_instantane(t3_2026)["quartiers"][0]["strategie"]
    assert "en_vigueur_a_la_production" not in en_vigueur


def test_sans_version_adoptee_a_la_fin_de_la_periode_la_plus_ancienne_et_le_bilan_le_dit():
    _periodes(2018)
    quartier = _quartier()
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2018, trimestre=None)
    strategie = construire_instantane(bilan)["quartiers"][0]["strategie"]
    assert (strategie["version"], strategie["par_defaut"]) == (1, True)
    methodologie = _methodologie(bilan)
    assert (
        "Saint-Michel : aucune version de la stratégie n'a de date d'adoption au plus tard le "
        "31 décembre 2018; le bilan utilise la plus ancienne, la version 1."
    ) in methodologie


def test_un_brouillon_n_est_jamais_la_version_du_bilan():
    _periodes(2025)
    quartier = _quartier(v3=False)
    StrategieFactory(
        quartier=quartier,
        version=3,
        adoptee_le=datetime.date(2025, 1, 1),
        statut=StatutStrategie.BROUILLON,
    )
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2025, trimestre=None)
    assert construire_instantane(bilan)["quartiers"][0]["strategie"]["version"] == 2


def _methodologie(bilan: Bilan, langue: str = "fr") -> str:
    bilan.langue = langue
    html = rendu.contenu(construire_instantane(bilan), titre="Bilan")
    return html[html.index('id="methodologie"') :]


def test_la_methodologie_dit_la_version_utilisee_et_qu_elle_n_est_plus_en_vigueur():
    _periodes(2025, 2026)
    quartier = _quartier()
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2025, trimestre=None)
    methodologie = _methodologie(bilan)
    assert "la version de la stratégie de changement au moment de sa production" not in methodologie
    assert (
        "Chaque quartier est lu avec la version de sa stratégie de changement en vigueur à la fin "
        "de la période, le 31 décembre 2025"
    ) in methodologie
    assert (
        '<tr><th scope="row">Saint-Michel</th><td>Stratégie v2</td><td class="nombre">2</td>'
        "<td>15 mars 2022</td></tr>"
    ) in methodologie
    assert (
        "Saint-Michel : la version 2 n'est pas celle en vigueur à la production du bilan, la "
        "version 3 (adoptée le 1er septembre 2026)."
    ) in methodologie


def test_en_anglais_la_methodologie_dit_la_version_utilisee():
    """Attend la traduction des nouveaux messages au catalogue anglais."""
    _periodes(2025, 2026)
    quartier = _quartier()
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2025, trimestre=None)
    methodologie = _methodologie(bilan, "en")
    assert (
        "Each neighbourhood is read with the version of its change strategy in force at the end "
        "of the period"
    ) in methodologie
    assert "version 2 is not the one in force when the report was produced" in methodologie


def test_le_bilan_du_pic_choisit_la_version_de_chaque_quartier_au_meme_cout():
    _periodes(2025, 2026)
    alpha = _quartier("Alpha")
    beta = _quartier("Beta", v3=False)
    bilan = Bilan(portee=Portee.PIC, annee=2025, trimestre=None, langue="fr")
    with CaptureQueriesContext(connection) as deux:
        quartiers = construire_instantane(bilan)["quartiers"]
    assert [(q["nom"], q["strategie"]["version"]) for q in quartiers] == [
        ("Alpha", 2),
        ("Beta", 2),
    ]
    assert "en_vigueur_a_la_production" in quartiers[0]["strategie"]
    assert "en_vigueur_a_la_production" not in quartiers[1]["strategie"]
    for nom in ("Gamma", "Delta", "Epsilon"):
        _quartier(nom)
    with CaptureQueriesContext(connection) as cinq:
        construire_instantane(bilan)
    assert len(cinq) == len(deux)
    assert alpha.pk != beta.pk


def test_la_regle_est_ecrite_une_fois_dans_les_selecteurs():
    from indicateurs.selectors import strategies_au

    quartier = _quartier()
    sans = QuartierFactory(nom="Sans", slug="sans")
    lues = strategies_au([quartier.pk, sans.pk], datetime.date(2026, 8, 31))
    assert lues[quartier.pk].retenue.version == 2
    assert lues[quartier.pk].en_vigueur.version == 3
    assert not lues[quartier.pk].par_defaut
    assert lues[sans.pk].retenue is None and lues[sans.pk].en_vigueur is None
