"""Le PDF du bilan du PIC imprime le tableau HTML des textes d'un indicateur en texte, comme
celui d'un quartier. Avant : une image Plotly de hauteur fixe (900 × 420), où les lignes de deux
lignes de texte débordaient; kaleido coupait le bas du tableau, et le bilan annuel 2025 du PIC
s'arrêtait au T4 2024, sans les textes de sa propre année."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from indicateurs.models import Saisie, Valeur
from rapports import rendu, services
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, construire_quartier

pytestmark = pytest.mark.django_db

# Chaque texte tient sur deux lignes du tableau (plus de 100 caractères).
SUITE = " : rencontres avec l'arrondissement, orientations discutées et consultation des résidents"


def _texte(annee: int, trimestre: int) -> str:
    return f"Etape-{annee}-T{trimestre}{SUITE} (données fictives)."


def _quartier_avec_douze_textes():
    """Un quartier aux douze trimestres 2023-2025 renseignés, dont un indicateur en texte."""
    quartier = construire_quartier(nom="Centre Sud", indicateurs=1, trimestres=12)
    politique = IndicateurFactory(code="politique", nom_fr="Politique municipale", unite="texte")
    IndicateurSuiviFactory(quartier=quartier, indicateur=politique, valeur_reference=None)
    for saisie in Saisie.objects.filter(table=quartier.table).select_related("periode"):
        texte = _texte(saisie.periode.annee, saisie.periode.trimestre)
        Valeur.objects.create(saisie=saisie, indicateur=politique, valeur_texte=texte)
    return quartier


def encre_des_occurrences(contenu: bytes, fragment: str, echelle: int = 2) -> list[bool]:
    """Pour chaque occurrence de `fragment` dans le texte du PDF : vrai si sa boîte est peinte
    (des pixels sombres une fois la page rendue par pdfium). Un texte coupé par le cadre d'une
    image reste dans le texte du PDF (pypdf le lit), mais rien ne s'en voit."""
    document = pdfium.PdfDocument(contenu)
    encres = []
    try:
        for page in document:
            textes, image = page.get_textpage(), None
            chercheur = textes.search(fragment, match_case=True)
            while occurrence := chercheur.get_next():
                debut, nombre = occurrence
                boites = [textes.get_charbox(i) for i in range(debut, debut + nombre)]
                if image is None:
                    image = page.render(scale=echelle, grayscale=True).to_pil().convert("L")
                hauteur = page.get_height()
                cadre = (
                    int(min(b[0] for b in boites) * echelle),
                    int((hauteur - max(b[3] for b in boites)) * echelle),
                    int(max(b[2] for b in boites) * echelle) + 1,
                    int((hauteur - min(b[1] for b in boites)) * echelle) + 1,
                )
                encres.append(image.crop(cadre).getextrema()[0] < 128)
    finally:
        document.close()
    return encres


@pytest.fixture(scope="module")
def _kaleido():
    from rapports.images import arreter_kaleido, demarrer_kaleido

    demarrer_kaleido()
    yield
    arreter_kaleido()


def test_le_pdf_annuel_du_pic_imprime_les_textes_jusqu_au_dernier_trimestre(_kaleido):
    _quartier_avec_douze_textes()
    bilan = Bilan(portee=Portee.PIC, annee=2025, trimestre=None, langue="fr")
    instantane = construire_instantane(bilan)
    contenu = services.pdf_du_bilan(instantane, services.titre_du_bilan(bilan))
    for annee in (2023, 2024, 2025):
        for trimestre in (1, 2, 3, 4):
            # Une seule fois, et lisible : ni image coupée, ni texte en double.
            fragment = f"Etape-{annee}-T{trimestre}"
            assert encre_des_occurrences(contenu, fragment) == [True], fragment


def test_aucun_bilan_ne_dessine_d_image_pour_un_indicateur_en_texte():
    """Le PDF du PIC imprime le tableau HTML : ni figure pour kaleido (celles des tranches du
    bilan réparti, `repartition.peindre_tranche`, viennent d'ici), ni emplacement."""
    _quartier_avec_douze_textes()
    bilan = Bilan(portee=Portee.PIC, annee=2025, trimestre=None, langue="fr")
    instantane = construire_instantane(bilan)
    (quartier,) = instantane["quartiers"]
    figures = rendu.figures_du_quartier(quartier, instantane["indicateurs"])
    assert "centre-sud:politique" not in figures and figures  # le chiffré garde sa courbe
    imprime = rendu.rendre(instantane, titre="Bilan", image=lambda _figure, cle: f"img:{cle}")
    assert "img:centre-sud:politique" not in imprime
    assert "img:centre-sud:" in imprime
    assert "Etape-2025-T4" in imprime and "Etape-2023-T1" in imprime
