"""La complétude d'un bilan couvrait toute la fenêtre des données (8 ou 12 trimestres), pas la
période du bilan : un bilan du T3 2026 encore en brouillon disait « 64 attendues, 56 présentes ».
La période du bilan a sa ligne, et celle de la fenêtre dit ses trimestres, dans le HTML (le PDF
en est le rendu) et dans la feuille « Complétude » du classeur
(`instantane.lignes_de_completude`)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from indicateurs.models import Saisie, StatutPeriode, Valeur
from rapports import rendu
from rapports.exports import exporter_xlsx
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


@pytest.fixture
def t3_en_brouillon():
    """Huit indicateurs saisis, validés du T4 2024 au T2 2026; le T3 2026 (ouvert) en brouillon."""
    quartier = QuartierFactory(nom="Saint-Michel", slug="saint-michel")
    suivis = [IndicateurSuiviFactory(quartier=quartier) for _ in range(8)]
    periodes = [periode_du_trimestre(2024, 4)]
    periodes += [periode_du_trimestre(2025, t) for t in (1, 2, 3, 4)]
    periodes += [periode_du_trimestre(2026, t) for t in (1, 2)]
    periodes.append(periode_du_trimestre(2026, 3, statut=StatutPeriode.OUVERTE))
    for periode in periodes:
        brouillon = periode.code == "2026-T3"
        saisie = Saisie.objects.create(
            table=quartier.table, periode=periode, statut="brouillon" if brouillon else "validee"
        )
        for suivi in suivis:
            Valeur.objects.create(
                saisie=saisie, indicateur=suivi.indicateur, valeur_numerique=Decimal(10)
            )
    return quartier


def _bilan(quartier, trimestre: int | None) -> dict:
    bilan = Bilan(
        portee=Portee.QUARTIER, quartier=quartier, annee=2026, trimestre=trimestre, langue="fr"
    )
    return construire_instantane(bilan)


def _comptes(completude: dict) -> tuple:
    return (
        completude["attendues"],
        completude["renseignees"],
        completude["validees"],
        len(completude["manquantes"]),
    )


def test_la_completude_du_trimestre_du_bilan_est_a_part(t3_en_brouillon):
    (quartier,) = _bilan(t3_en_brouillon, 3)["quartiers"]
    assert _comptes(quartier["completude"]) == (64, 56, 56, 8)  # la fenêtre, comme avant
    assert _comptes(quartier["completude"]["periode"]) == (8, 0, 0, 8)
    assert {m["periode"] for m in quartier["completude"]["periode"]["manquantes"]} == {"2026-T3"}


def test_la_completude_de_l_annee_du_bilan_compte_ses_trimestres(t3_en_brouillon):
    (quartier,) = _bilan(t3_en_brouillon, None)["quartiers"]
    assert _comptes(quartier["completude"]["periode"]) == (24, 16, 16, 8)


def test_le_html_et_le_pdf_nomment_les_deux_lignes(t3_en_brouillon):
    instantane = _bilan(t3_en_brouillon, 3)
    for image in (None, lambda _figure, _cle: ""):  # la page, puis l'entrée du PDF
        html = rendu.rendre(instantane, titre="Bilan", image=image)
        tableau = html[html.index("Complétude des données") :]
        tableau = tableau[: tableau.index("</table>")]
        assert '<th scope="rowgroup" rowspan="2">Saint-Michel</th>' in tableau
        periode = tableau.index("Période du bilan (T3 2026)")
        fenetre = tableau.index("Fenêtre des données (T4 2024 à T3 2026, 8 trimestres)")
        assert periode < fenetre
        assert '<td class="nombre">8</td><td class="nombre">0</td>' in tableau[periode:fenetre]
        assert '<td class="nombre">64</td><td class="nombre">56</td>' in tableau[fenetre:]


def test_le_classeur_a_une_ligne_par_periode(t3_en_brouillon):
    instantane = _bilan(t3_en_brouillon, None)
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    lignes = list(classeur["Complétude"].iter_rows(values_only=True))
    assert lignes[0][:3] == ("Quartier", "Période", "Attendues")
    assert lignes[1:] == [
        ("Saint-Michel", "Période du bilan (T1–T3 2026)", 24, 16, 16, 0, 8),
        # Douze trimestres au plus; la base n'en a que huit.
        ("Saint-Michel", "Fenêtre des données (T4 2024 à T3 2026, 8 trimestres)", 64, 56, 56, 0, 8),
    ]


def test_un_ancien_instantane_n_a_que_la_ligne_de_la_fenetre(t3_en_brouillon):
    instantane = _bilan(t3_en_brouillon, 3)
    for quartier in instantane["quartiers"]:
        quartier["completude"].pop("periode")
    instantane["generateur"] = "evalpic-bilan-1.5"
    html = rendu.rendre(instantane, titre="Bilan")
    tableau = html[html.index("Complétude des données") :]
    tableau = tableau[: tableau.index("</table>")]
    assert "Période du bilan" not in tableau
    assert '<th scope="rowgroup" rowspan="1">Saint-Michel</th>' in tableau
    assert "Fenêtre des données (T4 2024 à T3 2026, 8 trimestres)" in tableau
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    assert len(list(classeur["Complétude"].iter_rows(values_only=True))) == 2
