"""Le bilan en PDF : figure Plotly (dictionnaire) → SVG par kaleido → PDF par WeasyPrint.

Aucune base de données. Les tests qui dessinent une figure ont besoin du chromium de Debian
(paquet `chromium`); les autres tournent partout.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import shutil
import socket
from xml.etree import ElementTree

import pytest
from django.test import override_settings
from pypdf import PdfReader

from rapports import images, pdf
from rapports.images import arreter_kaleido, demarrer_kaleido, figure_en_img, figure_en_svg
from rapports.pdf import ChercheurStatique, html_en_pdf

avec_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="kaleido a besoin du chromium de Debian (apt-get install chromium)",
)

TITRE_GRAPHIQUE = "Partenaires actifs à Saint-Michel"
SECTIONS = [
    ("en-bref", "En bref"),
    ("defis", "Défis"),
    ("changements-de-pratiques", "Changements de pratiques"),
    ("au-dela", "Au-delà des changements"),
    ("methodologie", "Méthodologie"),
]


def figure_ligne() -> dict:
    """Une petite figure en ligne, en dictionnaire simple comme celles de rapports.graphiques."""
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Partenaires actifs",
                "x": ["2024-T1", "2024-T2", "2024-T3", "2024-T4"],
                "y": [12, 15, 14, 19],
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Valeur de référence",
                "x": ["2024-T1", "2024-T4"],
                "y": [11, 11],
            },
        ],
        "layout": {"title": {"text": TITRE_GRAPHIQUE}, "xaxis": {"title": {"text": "Trimestre"}}},
    }


def document_bilan(graphique: str = "", *, feuilles_en_tete: str = "") -> str:
    """Un bilan en HTML : couverture, table des matières, cinq sections et un graphique."""
    table = "".join(f'<li><a href="#{ancre}">{titre}</a></li>' for ancre, titre in SECTIONS)
    sections = "".join(
        f'<section class="section-majeure" id="{ancre}"><h2>{titre}</h2>'
        f"<p>Ce que la table de quartier retient : {titre.lower()}.</p>"
        + (graphique if ancre == "en-bref" else "")
        + "</section>"
        for ancre, titre in SECTIONS
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>Bilan de Saint-Michel — 2024</title>{feuilles_en_tete}</head><body>"
        '<section class="couverture"><h1>Bilan de Saint-Michel</h1><p>Année 2024</p></section>'
        '<nav class="table-des-matieres" aria-label="Table des matières">'
        f"<h2>Table des matières</h2><ol>{table}</ol></nav>"
        f"{sections}</body></html>"
    )


def texte_pdf(contenu: bytes) -> tuple[PdfReader, str]:
    lecteur = PdfReader(io.BytesIO(contenu))
    return lecteur, "\n".join(page.extract_text() for page in lecteur.pages)


@pytest.fixture(scope="module")
def kaleido_demarre():
    """Un seul chromium pour le module, arrêté à la fin."""
    demarrer_kaleido(prechauffer=True)
    yield
    arreter_kaleido()


@pytest.fixture
def sans_reseau(monkeypatch):
    """Toute tentative de connexion réseau fait échouer le test."""
    tentatives: list[object] = []

    def refuser(*args, **kwargs):
        tentatives.append(args)
        raise AssertionError(f"accès réseau interdit : {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuser)
    monkeypatch.setattr(socket, "getaddrinfo", refuser)
    monkeypatch.setattr(socket.socket, "connect", refuser)
    return tentatives


# --- kaleido : figure → SVG ----------------------------------------------------------------------


@avec_chromium
def test_figure_en_svg_depuis_un_dictionnaire(kaleido_demarre):
    svg = figure_en_svg(figure_ligne(), largeur=800, hauteur=400)

    assert svg.lstrip().startswith("<svg")
    assert 'width="800"' in svg and 'height="400"' in svg
    assert "Partenaires actifs" in svg  # la légende : un libellé propre aux traces
    assert "Valeur de référence" in svg
    assert "2024-T3" in svg  # une catégorie de l'axe des x


@avec_chromium
def test_figure_en_img_est_une_uri_data_svg(kaleido_demarre):
    uri = figure_en_img(figure_ligne())

    prefixe = "data:image/svg+xml;base64,"
    assert uri.startswith(prefixe)
    svg = base64.b64decode(uri.removeprefix(prefixe)).decode("utf-8")
    assert "<svg" in svg and 'width="900"' in svg and 'height="420"' in svg


@avec_chromium
def test_demarrer_kaleido_est_idempotent(kaleido_demarre, recwarn):
    demarrer_kaleido()
    demarrer_kaleido()

    assert not [w for w in recwarn if "already open" in str(w.message)]
    assert "<svg" in figure_en_svg(figure_ligne())


def _sans_identifiants(svg: str) -> str:
    """Le SVG canonique (C14N : attributs triés) sans les identifiants aléatoires que plotly.js
    donne à chaque dessin et à chaque trace (`defs-3fa2c1`, `tracef36830`…)."""

    def neutre(correspondance: re.Match) -> str:
        return re.sub(r"[0-9a-f]{6}(?![0-9a-f])", "ID", correspondance.group(0))

    return ElementTree.canonicalize(re.sub(r'(?:id|class)="[^"]*"|url\(#[^)]*\)', neutre, svg))


@avec_chromium
def test_un_onglet_n_est_recharge_qu_apres_ses_figures(monkeypatch):
    """kaleido rechargeait l'onglet (plotly.js) après chaque figure : ici, après
    RECHARGER_APRES figures seulement, et le dessin reste le même."""
    arreter_kaleido()
    monkeypatch.setattr(images, "RECHARGER_APRES", 4)
    with override_settings(EVALPIC_KALEIDO_ONGLETS=1):
        demarrer_kaleido()
        premiere = figure_en_svg(figure_ligne())
        images.figures_en_img({str(n): figure_ligne() for n in range(9)})
        derniere = figure_en_svg(figure_ligne())
        rechargements = images.rechargements_d_onglets()
    arreter_kaleido()

    # 11 figures dans un onglet, rechargé avant la 5e et la 9e : 2 rechargements (kaleido : 11).
    assert rechargements == 2
    assert _sans_identifiants(derniere) == _sans_identifiants(premiere)


@avec_chromium
def test_apres_une_figure_ratee_l_onglet_est_recharge(monkeypatch):
    arreter_kaleido()
    with override_settings(EVALPIC_KALEIDO_ONGLETS=1):
        demarrer_kaleido()
        figure_en_svg(figure_ligne())
        with pytest.raises(Exception):  # noqa: B017 - l'erreur de plotly.js, telle quelle
            figure_en_svg({"data": [{"type": "pas-un-type", "y": [1]}], "layout": {"n": object}})
        avant = images.rechargements_d_onglets()
        svg = figure_en_svg(figure_ligne())
        apres = images.rechargements_d_onglets()
    arreter_kaleido()

    assert apres == avant + 1
    assert "Valeur de référence" in svg


def test_sans_chromium_une_erreur_claire_nomme_le_paquet(monkeypatch, tmp_path):
    arreter_kaleido()
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(images, "CHEMINS_CHROMIUM", ())

    with pytest.raises(RuntimeError, match="paquet Debian « chromium »"):
        demarrer_kaleido()
    with pytest.raises(RuntimeError, match="chromium"):
        figure_en_svg(figure_ligne())


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_chromium_qui_plante_au_lancement_donne_une_erreur_et_non_une_attente(monkeypatch):
    """kaleido se croit démarré même si chromium meurt aussitôt : pas d'attente sans fin."""
    arreter_kaleido()
    monkeypatch.setenv("BROWSER_PATH", shutil.which("false") or "/bin/false")

    with pytest.raises(RuntimeError, match="serveur kaleido s'est arrêté"):
        figure_en_svg(figure_ligne())
    arreter_kaleido()


# --- WeasyPrint : HTML → PDF ---------------------------------------------------------------------


@avec_chromium
def test_bilan_complet_en_pdf(kaleido_demarre, sans_reseau):
    graphique = (
        '<figure class="graphique">'
        f'<img src="{figure_en_img(figure_ligne())}" alt="{TITRE_GRAPHIQUE}, 2024">'
        "<figcaption>Source : saisies trimestrielles</figcaption></figure>"
    )

    contenu = html_en_pdf(document_bilan(graphique))

    assert contenu.startswith(b"%PDF-")
    lecteur, texte = texte_pdf(contenu)
    assert len(lecteur.pages) > 1
    for attendu in ("Bilan de Saint-Michel", "En bref", "Défis", "Au-delà des changements"):
        assert attendu in texte
    assert "2 / " in texte  # le pied de page : « page 2 / N »
    # Le SVG reste vectoriel : son texte (titre, légende) est du texte dans le PDF.
    assert TITRE_GRAPHIQUE in texte
    assert "Valeur de référence" in texte
    page_en_bref = next(p for p in lecteur.pages if "Ce que la table" in p.extract_text())
    assert "/XObject" in page_en_bref["/Resources"]
    assert sans_reseau == []


def test_pagination_table_des_matieres_et_metadonnees():
    contenu = html_en_pdf(document_bilan())

    lecteur, texte = texte_pdf(contenu)
    nombre = len(lecteur.pages)
    # Couverture, table des matières, puis une page par section majeure.
    assert nombre == 2 + len(SECTIONS)
    couverture = lecteur.pages[0].extract_text()
    assert "Bilan de Saint-Michel" in couverture
    assert "page 1" not in couverture  # ni en-tête ni pied sur la couverture
    assert f"page 3 / {nombre}" in lecteur.pages[2].extract_text()
    # En-tête : le titre du bilan (h1) et la section courante.
    assert "Bilan de Saint-Michel" in lecteur.pages[3].extract_text()
    # Table des matières : « Défis ....... 4 » (target-counter).
    table = lecteur.pages[1].extract_text()
    assert "Défis" in table and "...." in table
    assert any(
        ligne.startswith("Défis") and ligne.rstrip().endswith("4") for ligne in table.splitlines()
    )
    # Métadonnées et balisage PDF/UA.
    assert lecteur.metadata.title == "Bilan de Saint-Michel — 2024"
    catalogue = lecteur.trailer["/Root"]
    assert catalogue["/Lang"] == "fr"
    assert catalogue["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in catalogue
    assert "Au-delà des changements" in texte


def test_titre_et_langue_par_defaut():
    contenu = html_en_pdf(
        '<section class="couverture"><h1>Bilan de Rosemont</h1></section><p>x</p>'
    )

    lecteur = PdfReader(io.BytesIO(contenu))
    assert lecteur.metadata.title == "Bilan de Rosemont"
    assert lecteur.trailer["/Root"]["/Lang"] in ("fr", "en")


def test_pdf_reproductible():
    assert html_en_pdf(document_bilan()) == html_en_pdf(document_bilan())


# --- Ressources : /static/ oui, réseau jamais ----------------------------------------------------


def test_chercheur_lit_les_fichiers_statiques():
    chercheur = ChercheurStatique()

    reponse = chercheur(f"{pdf.BASE_URL_PAR_DEFAUT}static/css/evalpic.css")

    assert reponse.content_type == "text/css"
    assert b":root" in reponse.read()
    reponse.close()


def test_chercheur_suit_l_hote_de_base_et_refuse_le_reste(sans_reseau):
    chercheur = ChercheurStatique(base_url="https://evalpic.example.org/bilans/")

    assert chercheur.chemin("https://evalpic.example.org/static/css/evalpic.css") is not None
    for url in (
        "https://example.org/x.css",
        "https://example.org/static/css/evalpic.css",  # un autre hôte
        "https://evalpic.example.org/static/../settings.py",
        "https://evalpic.example.org/static/css/absente.css",
        "file:///etc/passwd",
        "ftp://example.org/x.css",
    ):
        with pytest.raises(ValueError, match="Ressource refusée"):
            chercheur(url)
    assert chercheur("data:text/plain;base64,YWJj").read() == b"abc"
    assert sans_reseau == []


def test_feuilles_statiques_resolues_et_feuilles_distantes_ignorees(sans_reseau, caplog):
    liens = (
        '<link rel="stylesheet" href="/static/css/evalpic.css">'
        '<link rel="stylesheet" href="https://example.org/x.css">'
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        contenu = html_en_pdf(document_bilan(feuilles_en_tete=liens), feuilles=["css/evalpic.css"])

    assert contenu.startswith(b"%PDF-")
    echecs = [r.getMessage() for r in caplog.records if "Failed to load" in r.getMessage()]
    assert any("https://example.org/x.css" in message for message in echecs)
    assert not any("evalpic.css" in message or "bilan-impression" in message for message in echecs)
    assert sans_reseau == []
    # La feuille d'impression, lue depuis /static/, a bien mis les numéros de page.
    _, texte = texte_pdf(contenu)
    assert "2 / " in texte


class _Cycle:
    """Un objet pris dans un cycle de références : seul le ramasse-miettes cyclique le libère."""

    def __init__(self) -> None:
        self.moi = self


def test_sans_ramasse_miettes_ramasse_les_cycles_a_la_sortie():
    import gc
    import weakref

    assert gc.isenabled()
    with pdf.sans_ramasse_miettes():
        assert not gc.isenabled()
        cycle = _Cycle()
        temoin = weakref.ref(cycle)
        del cycle
        assert temoin() is not None  # pas de ramassage pendant le PDF
    # Ramassé en sortant, par ce travail-ci, pas au hasard d'une tâche suivante.
    assert gc.isenabled() and temoin() is None


def test_sans_ramasse_miettes_laisse_desactive_ce_qui_l_etait():
    import gc

    gc.disable()
    try:
        with pdf.sans_ramasse_miettes():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
