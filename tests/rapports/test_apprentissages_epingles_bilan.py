"""Les apprentissages épinglés à une courbe se lisent dans le bilan : en liste sous la courbe
(trimestre, catégorie, texte) dans le HTML et le PDF, dans la feuille « Apprentissages » du XLSX
avec leur trimestre et leur indicateur, et dans le CSV (et la feuille « Valeurs ») sur la ligne
de leur trimestre. Avant : une marque « Apprentissages » sans texte dans l'image du PDF, et les
exports n'en gardaient que ceux de la période du bilan, sans trimestre ni indicateur."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from pypdf import PdfReader

from indicateurs.models import Apprentissage, CategorieApprentissage, IndicateurSuivi, Periode
from rapports import rendu, services
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db

ANCIEN = "Départ de la coordonnatrice <en mai> & relève"
RECENT = "Le comité se réunit chaque mois"
LIBRE = "Une fête de quartier, sans indicateur"


def _quartier_avec_epingles():
    """Alpha, un indicateur sur quatre trimestres de 2023; deux apprentissages épinglés à sa
    courbe (T2, défis; T4, processus et résultats) et un non épinglé au T4."""
    quartier = construire_quartier(nom="Alpha", indicateurs=1, trimestres=4)
    indicateur = IndicateurSuivi.objects.get(quartier=quartier).indicateur
    t2, t4 = (Periode.objects.get(annee=2023, trimestre=t) for t in (2, 4))
    epingle = {"quartier": quartier, "indicateur": indicateur}
    Apprentissage.objects.create(
        **epingle, periode=t2, categorie=CategorieApprentissage.DEFIS, texte_fr=ANCIEN
    )
    Apprentissage.objects.create(
        **epingle,
        periode=t4,
        categorie=CategorieApprentissage.PROCESSUS_RESULTATS,
        texte_fr=RECENT,
        texte_en="The committee meets monthly",
    )
    Apprentissage.objects.create(
        quartier=quartier, periode=t4, categorie=CategorieApprentissage.AU_DELA, texte_fr=LIBRE
    )
    return quartier, indicateur.code


def _instantane(quartier, portee: str = Portee.QUARTIER, langue: str = "fr") -> dict:
    bilan = Bilan(
        portee=portee,
        quartier=quartier if portee == Portee.QUARTIER else None,
        annee=2023,
        trimestre=4,
        langue=langue,
    )
    return construire_instantane(bilan)


# --- HTML et impression -------------------------------------------------------------------------


@pytest.mark.parametrize("portee", [Portee.QUARTIER, Portee.PIC])
def test_sous_la_courbe_la_liste_des_apprentissages_epingles(portee):
    quartier, _code = _quartier_avec_epingles()
    instantane = _instantane(quartier, portee)
    page = rendu.contenu(instantane, titre="Bilan")
    imprime = rendu.rendre(instantane, titre="Bilan", image=lambda _figure, cle: f"img:{cle}")
    for html in (page, imprime):
        courbe = html[html.index('<div class="courbe">') :]
        courbe = courbe[: courbe.index("</section>")]  # la seule courbe de la section
        assert '<p class="reperes__titre">Apprentissages</p>' in courbe
        assert (
            "<li><strong>T2 2023</strong> — défis : Départ de la coordonnatrice &lt;en mai&gt; "
            "&amp; relève</li>"
        ) in courbe
        assert f"<li><strong>T4 2023</strong> — processus et résultats : {RECENT}</li>" in courbe
        assert LIBRE not in courbe  # pas épinglé : dans sa rubrique seulement


def test_en_anglais_la_liste_suit_la_langue_du_bilan():
    quartier, _code = _quartier_avec_epingles()
    html = rendu.contenu(_instantane(quartier, langue="en"), titre="Report")
    assert '<p class="reperes__titre">Learnings</p>' in html
    assert "<li><strong>Q4 2023</strong> — process and results: The committee meets monthly" in (
        html
    )


@pytest.fixture(scope="module")
def _kaleido():
    from rapports.images import arreter_kaleido, demarrer_kaleido

    demarrer_kaleido()
    yield
    arreter_kaleido()


def test_le_pdf_ecrit_les_apprentissages_epingles(_kaleido):
    quartier, _code = _quartier_avec_epingles()
    instantane = _instantane(quartier)
    contenu = services.pdf_du_bilan(instantane, "Bilan — Alpha — T4 2023")
    texte = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(contenu)).pages
    )
    # Le T2 n'est pas dans la période du bilan : seule la liste sous la courbe l'écrit.
    assert "T2 2023 — défis : Départ de la coordonnatrice <en mai> & relève" in texte


# --- Exports ------------------------------------------------------------------------------------


def test_la_feuille_apprentissages_porte_trimestre_et_indicateur():
    quartier, code = _quartier_avec_epingles()
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(_instantane(quartier))))
    lignes = list(classeur["Apprentissages"].iter_rows(values_only=True))
    assert lignes == [
        ("Quartier", "Période", "Indicateur", "Catégorie", "Texte"),
        # De la période du bilan, sans indicateur; l'épinglé du T4 ne s'écrit qu'une fois.
        ("Alpha", "T4 2023", None, "au-delà des changements", LIBRE),
        ("Alpha", "T2 2023", code, "défis", ANCIEN),
        ("Alpha", "T4 2023", code, "processus et résultats", RECENT),
    ]


def test_le_csv_et_la_feuille_valeurs_les_portent_sur_la_ligne_du_trimestre():
    quartier, code = _quartier_avec_epingles()
    instantane = _instantane(quartier)
    texte = exporter_csv(instantane).decode("utf-8-sig")
    en_tete, *lignes = list(csv.reader(io.StringIO(texte, newline=""), delimiter=";"))
    epingles = en_tete.index("Apprentissages épinglés")
    par_periode = {ligne[4]: ligne[epingles] for ligne in lignes if ligne[1] == code}
    assert par_periode == {
        "2023-T1": "",
        "2023-T2": f"défis : {ANCIEN}",
        "2023-T3": "",
        "2023-T4": f"processus et résultats : {RECENT}",
    }
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    valeurs = list(classeur["Valeurs"].iter_rows(values_only=True))
    assert valeurs[0][epingles] == "Apprentissages épinglés"
    (ligne,) = [v for v in valeurs if v[1] == code and v[4] == "2023-T2"]
    assert ligne[epingles] == f"défis : {ANCIEN}"


def test_deux_apprentissages_au_meme_trimestre_dans_une_case():
    quartier, code = _quartier_avec_epingles()
    indicateur = IndicateurSuivi.objects.get(quartier=quartier).indicateur
    Apprentissage.objects.create(
        quartier=quartier,
        indicateur=indicateur,
        periode=Periode.objects.get(annee=2023, trimestre=2),
        categorie=CategorieApprentissage.CHANGEMENTS_PRATIQUES,
        texte_fr="Nouvelle façon d'accueillir",
    )
    texte = exporter_csv(_instantane(quartier)).decode("utf-8-sig")
    en_tete, *lignes = list(csv.reader(io.StringIO(texte, newline=""), delimiter=";"))
    (ligne,) = [ligne for ligne in lignes if ligne[1] == code and ligne[4] == "2023-T2"]
    assert ligne[en_tete.index("Apprentissages épinglés")] == (
        f"défis : {ANCIEN} | changements de pratiques : Nouvelle façon d'accueillir"
    )
