"""Un PDF peint à plusieurs (une base, une tranche de figures) puis réuni : mêmes pages, même
texte aux mêmes places, même balisage que le PDF peint d'un coup. Sans base de données ni
chromium (des SVG écrits à la main)."""

from __future__ import annotations

import base64
import io
import re

import pikepdf
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from rapports.pdf import html_en_pdf
from rapports.pdf_tranches import (
    Figures,
    TranchesIncompatibles,
    emplacement,
    peindre_figures,
    reunir,
)

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
#: Les figures peintes par l'autre tranche : celles des sections B et C.
AUTRES = [cle for cle in VRAIES if cle[0] in "bc"]


@pytest.fixture(scope="module")
def base() -> bytes:
    """La base : le document entier, ses figures (section A) et des emplacements ailleurs."""
    images = {cle: emplacement(cle) if cle in AUTRES else uri for cle, uri in VRAIES.items()}
    return html_en_pdf(document(images))


@pytest.fixture(scope="module")
def figures() -> Figures:
    return peindre_figures({cle: VRAIES[cle] for cle in AUTRES})


@pytest.fixture(scope="module")
def octets_reunis(base, figures) -> bytes:
    return reunir(base, [figures])


@pytest.fixture(scope="module")
def octets_d_un_coup() -> bytes:
    return html_en_pdf(document(VRAIES))


@pytest.fixture(scope="module")
def reuni(octets_reunis) -> PdfReader:
    return PdfReader(io.BytesIO(octets_reunis))


@pytest.fixture(scope="module")
def d_un_coup(octets_d_un_coup) -> PdfReader:
    return PdfReader(io.BytesIO(octets_d_un_coup))


def test_la_base_a_la_mise_en_page_du_document_peint_d_un_coup(base, d_un_coup):
    lecteur = PdfReader(io.BytesIO(base))
    assert len(lecteur.pages) == len(d_un_coup.pages)
    texte = "\n".join(page.extract_text() for page in lecteur.pages)
    assert "Courbe A1" in texte and "Courbe B1" not in texte  # ses figures, pas celles des autres
    for page_base, page_entiere in zip(lecteur.pages, d_un_coup.pages, strict=True):
        lignes = page_entiere.extract_text().splitlines()
        assert page_base.extract_text().splitlines() == [
            ligne for ligne in lignes if not re.fullmatch(r"Courbe [BC]\d", ligne)
        ]


def test_une_tranche_peint_chaque_figure_sur_sa_page_a_sa_taille(figures):
    lecteur = PdfReader(io.BytesIO(figures.pdf))
    assert figures.cles == tuple(AUTRES)
    assert [page.extract_text().strip() for page in lecteur.pages] == [
        f"Courbe {cle.upper()}" for cle in AUTRES
    ]
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in lecteur.pages} == {
        (675.0, 315.0)  # 900 × 420 pixels CSS
    }
    assert "/StructTreeRoot" not in lecteur.trailer["/Root"]  # pas de balisage à mêler


def test_le_pdf_reuni_a_le_texte_du_pdf_peint_d_un_coup(reuni, d_un_coup):
    assert len(reuni.pages) == len(d_un_coup.pages)
    for page_reunie, page_entiere in zip(reuni.pages, d_un_coup.pages, strict=True):
        assert page_reunie.extract_text() == page_entiere.extract_text()
    texte = "\n".join(page.extract_text() for page in reuni.pages)
    for cle in VRAIES:  # le texte des SVG de chaque tranche
        assert f"Courbe {cle.upper()}" in texte


def _pixels(contenu: bytes, rang: int) -> bytes:
    """La page `rang` du PDF rendue par pdfium (72 points par pouce), en niveaux de gris."""
    document = pdfium.PdfDocument(contenu)
    try:
        return document[rang].render(scale=1, grayscale=True).to_pil().convert("L").tobytes()
    finally:
        document.close()


def _pages_differentes(obtenu: bytes, attendu: bytes) -> list[tuple[int, int]]:
    """(page, pixels différents) des pages rendues qui diffèrent au-delà du lissage des bords."""
    differentes = []
    for rang in range(len(PdfReader(io.BytesIO(attendu)).pages)):
        obtenus, attendus = _pixels(obtenu, rang), _pixels(attendu, rang)
        differents = sum(abs(a - b) > 64 for a, b in zip(obtenus, attendus, strict=True))
        if differents >= 0.002 * len(attendus):
            differentes.append((rang, differents))
    return differentes


def test_chaque_figure_est_peinte_a_sa_place_et_a_sa_taille(octets_reunis, octets_d_un_coup):
    """Les pages réunies, rendues, sont celles du PDF peint d'un coup, au lissage des bords
    près : une figure renversée, décalée ou mal réduite changerait des milliers de pixels."""
    assert _pages_differentes(octets_reunis, octets_d_un_coup) == []


def test_une_page_de_figure_en_plusieurs_flux_est_reprise(base, figures, octets_d_un_coup):
    """WeasyPrint écrit un seul flux par page; une page en tableau de flux passe aussi."""
    with pikepdf.open(io.BytesIO(figures.pdf)) as pdf:
        for page in pdf.pages:
            page.obj.Contents = pikepdf.Array([page.obj.Contents])
        sortie = io.BytesIO()
        pdf.save(sortie)
    reuni = reunir(base, [Figures(pdf=sortie.getvalue(), cles=figures.cles)])
    assert _pages_differentes(reuni, octets_d_un_coup) == []


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


def test_une_tranche_sans_figure_ne_change_rien(base, figures, octets_reunis):
    """Une tranche dont les quartiers n'ont aucune série (possible dès 3 tranches) ne peint
    rien et n'empêche pas la réunion."""
    vide = peindre_figures({})
    assert vide == Figures(pdf=b"", cles=())
    assert reunir(base, [vide, figures, vide]) == octets_reunis


def test_une_figure_peinte_deux_fois_est_refusee(base, figures):
    with pytest.raises(TranchesIncompatibles, match="b1 est peinte deux fois"):
        reunir(base, [figures, figures])


def test_une_figure_sans_emplacement_dans_la_base_est_refusee(octets_d_un_coup, figures):
    with pytest.raises(TranchesIncompatibles, match=r"Aucune place.*b1, b2, c1, c2"):
        reunir(octets_d_un_coup, [figures])  # aucune place laissée aux autres


def test_une_tranche_dont_le_pdf_n_a_pas_ses_figures_est_refusee(base, figures):
    with pytest.raises(TranchesIncompatibles, match="4 pages pour 5 figures"):
        reunir(base, [Figures(pdf=figures.pdf, cles=(*figures.cles, "a1"))])
