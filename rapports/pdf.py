"""Les bilans en PDF : HTML du bilan (figures en SVG, voir `rapports.images`) → PDF (WeasyPrint).

Les SVG des figures s'intègrent au HTML en URI `data:image/svg+xml;base64,…`; WeasyPrint les garde
vectoriels, leur texte reste du texte. Les ressources du HTML ne viennent que des fichiers
statiques (`/static/…`, trouvés par les chercheurs de `django.contrib.staticfiles`) et des URI
`data:` : aucun accès réseau, aucun fichier local arbitraire.
"""

from __future__ import annotations

import gc
import mimetypes
import posixpath
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.utils.html import escape
from django.utils.translation import get_language
from weasyprint import HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: La feuille d'impression des bilans, toujours appliquée (nom relatif aux fichiers statiques).
FEUILLE_IMPRESSION = "css/bilan-impression.css"
#: Base des URL relatives quand l'appelant n'en donne pas : `.invalid` ne se résout jamais.
BASE_URL_PAR_DEFAUT = "https://evalpic.invalid/"
#: Variante PDF : PDF/UA-1 (balisage pour l'accessibilité, titre et langue obligatoires).
VARIANTE_PDF = "pdf/ua-1"

# --- Ressources du HTML : les fichiers statiques, rien d'autre ------------------------------------


def _prefixe_statique() -> tuple[str, str]:
    """(hôte, chemin) de STATIC_URL : hôte vide si STATIC_URL est relative (cas usuel)."""
    morceaux = urlsplit(settings.STATIC_URL or "/static/")
    chemin = morceaux.path if morceaux.path.startswith("/") else "/" + morceaux.path
    return morceaux.netloc, chemin if chemin.endswith("/") else chemin + "/"


def fichier_statique(nom: str) -> Path | None:
    """Le fichier d'un nom statique (« css/evalpic.css »), ou None.

    Cherche avec les chercheurs de staticfiles (sources du projet), puis dans STATIC_ROOT (noms
    hachés d'un stockage à manifeste, après collectstatic). Refuse les chemins qui sortent.
    """
    nom = posixpath.normpath(unquote(nom)).lstrip("/")
    if not nom or nom == "." or nom.startswith("..") or "\x00" in nom:
        return None
    try:
        # find_all : avec find_all=False, un chercheur qui répond None (au lieu de [])
        # fait rendre [None] à finders.find pour un fichier absent.
        trouves = [chemin for chemin in finders.find(nom, find_all=True) if chemin]
        if trouves:
            return Path(trouves[0])
        if staticfiles_storage.exists(nom):
            return Path(staticfiles_storage.path(nom))
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None
    return None


class ChercheurStatique(URLFetcher):
    """Le `url_fetcher` de WeasyPrint pour les bilans : fichiers statiques et `data:` seulement.

    `https://<hôte de base>/static/css/x.css` (ou `/static/css/x.css` relatif à la base) est lu
    depuis les fichiers statiques; les URI `data:` sont décodées; toute autre URL (http(s) vers un
    autre hôte, `file:`…) est refusée par une ValueError, que WeasyPrint journalise avant
    d'ignorer la ressource : aucun accès réseau, aucun fichier local hors des statiques.
    """

    def __init__(self, base_url: str | None = None) -> None:
        super().__init__(allowed_protocols=("data",))
        hote_statique, self._prefixe = _prefixe_statique()
        self._hotes = {urlsplit(BASE_URL_PAR_DEFAUT).netloc}
        if base_url and urlsplit(base_url).netloc:
            self._hotes.add(urlsplit(base_url).netloc)
        if hote_statique:
            self._hotes.add(hote_statique)

    def chemin(self, url: str) -> Path | None:
        """Le fichier statique servi à cette URL, ou None si elle n'en désigne pas."""
        morceaux = urlsplit(url)
        if morceaux.scheme not in ("http", "https") or morceaux.netloc not in self._hotes:
            return None
        if not morceaux.path.startswith(self._prefixe):
            return None
        return fichier_statique(morceaux.path[len(self._prefixe) :])

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """Sert un fichier statique ou une URI `data:`; refuse tout le reste (ValueError)."""
        if url.startswith("data:"):
            return super().fetch(url, headers)
        fichier = self.chemin(url)
        if fichier is None:
            raise ValueError(f"Ressource refusée (ni fichier statique, ni URI data:) : {url}")
        type_mime = mimetypes.guess_type(fichier.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=fichier.read_bytes(), headers={"Content-Type": type_mime}
        )


# --- HTML → PDF ----------------------------------------------------------------------------------

_FIN_ENTETE = re.compile(r"</head\s*>", re.IGNORECASE)


def _avec_feuilles(html: str, urls: list[str]) -> str:
    """Le HTML avec des `<link rel="stylesheet">` ajoutés en dernier, sauf ceux déjà là.

    En fin de `<head>` (ou du document), les feuilles sont des feuilles d'auteur, après celles
    du document : elles l'emportent sur elles à spécificité égale, ce que ne feraient pas des
    feuilles « utilisateur » (`stylesheets=` de WeasyPrint), plus faibles que celles d'auteur.
    """
    # Une feuille déjà liée par le document (même chemin) n'est pas ajoutée une seconde fois.
    urls = [url for url in urls if f'"{urlsplit(url).path}"' not in html]
    liens = "".join(f'<link rel="stylesheet" href="{escape(url)}">' for url in urls)
    html, remplacements = _FIN_ENTETE.subn(lambda fin: liens + fin.group(0), html, count=1)
    return html if remplacements else html + liens


def _url_feuille(feuille: str, base: str) -> str:
    """L'URL d'une feuille : un nom statique (« css/x.css ») ou une URL (absolue ou « /… »)."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", feuille) or feuille.startswith("/"):
        return urljoin(base, feuille)
    _, prefixe = _prefixe_statique()
    return urljoin(base, prefixe + feuille)


def _texte_premier(html: HTML, balise: str) -> str | None:
    for element in html.etree_element.iter(balise):
        texte = " ".join("".join(element.itertext()).split())
        if texte:
            return texte
    return None


def html_en_pdf(
    html: str, *, base_url: str | None = None, feuilles: list[str] | None = None
) -> bytes:
    """Le PDF (octets) d'un document HTML de bilan, mis en page par WeasyPrint.

    Applique la feuille d'impression `css/bilan-impression.css`, puis `feuilles` (noms statiques
    comme « css/x.css » ou URL), après les feuilles du document. `base_url` résout les URL
    relatives (`request.build_absolute_uri("/")` pour des liens cliquables); par défaut
    `https://evalpic.invalid/`. Les `/static/…` sont lus sur disque, le réseau n'est jamais
    utilisé (voir `ChercheurStatique`). PDF/UA-1 : balisé, avec le titre (`<title>`, sinon le
    premier `<h1>`) et la langue (`<html lang>`, sinon la langue active) du document.
    """
    with sans_ramasse_miettes():
        return mettre_en_page(html, base_url=base_url, feuilles=feuilles).write_pdf(
            pdf_variant=VARIANTE_PDF
        )


def mettre_en_page(
    html: str, *, base_url: str | None = None, feuilles: list[str] | None = None
) -> Document:
    """Le document WeasyPrint mis en page (voir `html_en_pdf`), prêt à écrire."""
    base = base_url or BASE_URL_PAR_DEFAUT
    chercheur = ChercheurStatique(base_url=base)
    urls = [_url_feuille(feuille, base) for feuille in [FEUILLE_IMPRESSION, *(feuilles or [])]]
    document_html = HTML(string=_avec_feuilles(html, urls), base_url=base, url_fetcher=chercheur)
    document = document_html.render(font_config=FontConfiguration(), pdf_variant=VARIANTE_PDF)
    if not document.metadata.title:
        document.metadata.title = _texte_premier(document_html, "h1") or "ÉvalPIC"
    if not document.metadata.lang:
        document.metadata.lang = get_language() or settings.LANGUAGE_CODE
    return document


@contextmanager
def sans_ramasse_miettes():
    """Sans le ramasse-miettes cyclique le temps d'un PDF : WeasyPrint crée des millions d'objets
    qui vivent jusqu'à la fin (boîtes, lignes), et chaque passage complet du ramasse-miettes les
    parcourt tous, pour rien — ~25 % du temps d'un grand bilan. À la sortie, les cycles laissés
    par la mise en page (le document doit être lâché avant) sont ramassés aussitôt, en un seul
    passage : par le travail qui les a faits, pas par la tâche suivante du même processus, qui
    peut être celle qui réunit les tranches, en série (~0,6 s sur le bilan du PIC). Mémoire de
    pointe : voir README."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()
            gc.collect()
