"""Un PDF peint par tranches puis réuni : mêmes pages, même texte, même balisage que le PDF peint
d'un coup. Sans base de données ni chromium (des SVG écrits à la main)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from pypdf import PdfReader

from rapports.images import image_vide
from rapports.pdf import html_en_pdf
from rapports.pdf_tranches import Tranche, TranchesIncompatibles, peindre_tranche, reunir

SECTIONS = ["a", "b", "c"]


def svg(texte: str) -> str:
    contenu = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="420" viewBox="0 0 900 420">'
        '<path d="M10,400L300,100L600,250L890,20" style="stroke: rgb(31,119,180); fill: none"/>'
        f'<text x="450" y="40" text-anchor="middle" font-size="24">{texte}</text></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(contenu.encode()).decode()


def document(images: dict[str, str]) -> str:
    """Un bilan miniature : couverture, table des matières liée, une section par lettre avec deux
    figures (chaque section commence une page, comme les quartiers du bilan du PIC)."""
    table = "".join(f'<li><a href="#section-{s}">Section {s.upper()}</a></li>' for s in SECTIONS)
    sections = "".join(
        f'<section id="section-{s}" class="section-majeure"><h2>Section {s.upper()}</h2>'
        + "".join(
            f'<figure class="graphique" id="figure-{s}{n}">'
            f'<img src="{images[f"{s}{n}"]}" alt="Courbe {s.upper()}{n}"></figure>'
            f"<p>Texte de la section {s.upper()}, figure {n}.</p>"
            for n in (1, 2)
        )
        + "</section>"
        for s in SECTIONS
    )
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Bilan en tranches'
        f"</title></head><body><h1>Bilan en tranches</h1><nav><ol>{table}</ol></nav>{sections}"
        "</body></html>"
    )


VRAIES = {f"{s}{n}": svg(f"Courbe {s.upper()}{n}") for s in SECTIONS for n in (1, 2)}


def tranche(lettres: str) -> Tranche:
    """La tranche qui a les vraies images des sections `lettres`, des images vides ailleurs."""
    images = {cle: uri if cle[0] in lettres else image_vide() for cle, uri in VRAIES.items()}
    ancres = {f"figure-{cle}" for cle in VRAIES if cle[0] in lettres}
    return peindre_tranche(document(images), ancres)


@pytest.fixture(scope="module")
def tranches() -> list[Tranche]:
    return [tranche("a"), tranche("bc")]


@pytest.fixture(scope="module")
def reuni(tranches) -> PdfReader:
    return PdfReader(io.BytesIO(reunir(tranches)))


@pytest.fixture(scope="module")
def d_un_coup() -> PdfReader:
    return PdfReader(io.BytesIO(html_en_pdf(document(VRAIES))))


def test_chaque_tranche_connait_ses_pages(tranches, d_un_coup):
    pages_de = {
        lettre: {
            rang
            for rang, page in enumerate(d_un_coup.pages)
            if f"Texte de la section {lettre.upper()}" in page.extract_text()
        }
        for lettre in SECTIONS
    }
    assert set(tranches[0].pages) == pages_de["a"]
    assert set(tranches[1].pages) == pages_de["b"] | pages_de["c"]


def test_le_pdf_reuni_a_le_texte_du_pdf_peint_d_un_coup(reuni, d_un_coup):
    assert len(reuni.pages) == len(d_un_coup.pages)
    for page_reunie, page_entiere in zip(reuni.pages, d_un_coup.pages, strict=True):
        assert page_reunie.extract_text() == page_entiere.extract_text()
    texte = "\n".join(page.extract_text() for page in reuni.pages)
    for cle in VRAIES:  # le texte des SVG de chaque tranche, peint par elle
        assert f"Courbe {cle.upper()}" in texte


def _mcid_du_contenu(page) -> set[int]:
    return {int(n) for n in re.findall(rb"/MCID (\d+)", page.get_contents().get_data())}


def _mcid_de_la_structure(lecteur: PdfReader) -> dict[int, set[int]]:
    """MCID par page (numéro d'objet de la page), lus dans l'arbre de structure."""
    racine = lecteur.trailer["/Root"]["/StructTreeRoot"]
    vus: dict[int, set[int]] = {}

    def parcourir(noeud, page=None) -> None:
        noeud = noeud.get_object()
        if isinstance(noeud, int):
            vus.setdefault(page, set()).add(noeud)
            return
        if isinstance(noeud, list):
            for enfant in noeud:
                parcourir(enfant, page)
            return
        if "/Pg" in noeud:
            page = noeud.raw_get("/Pg").idnum
        if noeud.get("/Type") == "/MCR":
            vus.setdefault(page, set()).add(int(noeud["/MCID"]))
        if "/K" in noeud:
            parcourir(noeud["/K"], page)

    parcourir(racine["/K"])
    return vus


def _balisage_par_page(lecteur: PdfReader) -> list[tuple[set[int], set[int], int]]:
    """Pour chaque page : MCID de son contenu, MCID que lui donne l'arbre de structure, clé de
    l'arbre des parents."""
    structure = _mcid_de_la_structure(lecteur)
    pages = {page.indirect_reference.idnum for page in lecteur.pages}
    assert set(structure) <= pages  # aucune page fantôme dans l'arbre de structure
    return [
        (
            _mcid_du_contenu(page),
            structure.get(page.indirect_reference.idnum, set()),
            page["/StructParents"],
        )
        for page in lecteur.pages
    ]


def test_le_pdf_reuni_est_balise_comme_le_pdf_peint_d_un_coup(reuni, d_un_coup):
    racine = reuni.trailer["/Root"]
    assert bool(racine["/MarkInfo"]["/Marked"])
    assert racine["/Lang"] == "fr"
    assert "pdfuaid" in racine["/Metadata"].get_data().decode()
    assert _balisage_par_page(reuni) == _balisage_par_page(d_un_coup)
    arbre_parent = racine["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    assert {page["/StructParents"] for page in reuni.pages} <= set(arbre_parent[::2])


def test_liens_et_destinations_du_pdf_reuni(reuni, d_un_coup):
    def destinations(lecteur):
        return {
            nom: lecteur.get_destination_page_number(destination)
            for nom, destination in lecteur.named_destinations.items()
        }

    assert destinations(reuni) == destinations(d_un_coup)
    assert {"section-a", "section-b", "section-c"} <= set(destinations(reuni))
    liens = [a.get_object() for a in reuni.pages[0].get("/Annots", [])]
    assert len(liens) == len(SECTIONS)
    assert all("/StructParent" in lien for lien in liens)


def test_une_page_reclamee_deux_fois_est_refusee(tranches):
    with pytest.raises(TranchesIncompatibles, match="réclamée"):
        reunir([tranches[0], Tranche(pdf=tranches[1].pdf, pages=tranches[0].pages)])


def test_des_mises_en_page_differentes_sont_refusees(tranches):
    autre = peindre_tranche('<html lang="fr"><body><p>Une seule page.</p></body></html>', set())
    with pytest.raises(TranchesIncompatibles, match="mises en page"):
        reunir([tranches[0], Tranche(pdf=autre.pdf, pages=(0,))])
