"""Les bilans en PDF : figure Plotly → SVG (kaleido 1.x + chromium de Debian) → PDF (WeasyPrint).

Les graphiques sont des dictionnaires simples `{"data": [...], "layout": {...}}` (voir
`rapports.graphiques`), passés tels quels à kaleido, qui les dessine avec plotly.js dans le
chromium de Debian (paquet apt `chromium`), sans réseau : jamais de `kaleido.get_chrome()` ni de
`plotly_get_chrome()`, qui téléchargent. Le SVG obtenu s'intègre au HTML du bilan en URI
`data:image/svg+xml;base64,…`; WeasyPrint le garde vectoriel, son texte reste du texte.

Le serveur kaleido (un chromium par processus) se démarre une fois par processus de travail
(`worker_process_init` de Celery, jamais dans le processus parent avant le fork) : ~0,1 s par
figure au lieu de ~1,5 s pour un chromium lancé à chaque figure. `figure_en_svg` le démarre au
besoin. Les ressources du HTML ne viennent que des fichiers statiques (`/static/…`, trouvés par
les chercheurs de `django.contrib.staticfiles`) et des URI `data:` : aucun accès réseau, aucun
fichier local arbitraire.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import os
import posixpath
import re
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import kaleido
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.utils.html import escape
from django.utils.translation import get_language
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

#: La feuille d'impression des bilans, toujours appliquée (nom relatif aux fichiers statiques).
FEUILLE_IMPRESSION = "css/bilan-impression.css"
#: Base des URL relatives quand l'appelant n'en donne pas : `.invalid` ne se résout jamais.
BASE_URL_PAR_DEFAUT = "https://evalpic.invalid/"
#: Le paquet Debian qui fournit le navigateur de kaleido.
PAQUET_CHROMIUM = "chromium"
#: Les emplacements usuels de chromium, essayés après `BROWSER_PATH` et le PATH.
CHEMINS_CHROMIUM: tuple[str, ...] = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
#: Variante PDF : PDF/UA-1 (balisage pour l'accessibilité, titre et langue obligatoires).
VARIANTE_PDF = "pdf/ua-1"

# kaleido sérialise mal les appels simultanés (files partagées) : un seul appel à la fois.
_verrou = threading.Lock()


def _reinitialiser_verrou() -> None:
    """Après un fork, le verrou hérité peut être tenu par un fil qui n'existe plus."""
    global _verrou
    _verrou = threading.Lock()


os.register_at_fork(after_in_child=_reinitialiser_verrou)


# --- kaleido -------------------------------------------------------------------------------------


def chemin_chromium() -> str:
    """Le chemin du chromium de Debian que kaleido pilotera.

    Dans l'ordre : la variable `BROWSER_PATH` (celle de choreographer, la bibliothèque de kaleido),
    `chromium` dans le PATH, puis les emplacements usuels. Ne télécharge jamais rien : sans
    chromium, lève une RuntimeError qui nomme le paquet Debian à installer.
    """
    candidats = [
        os.environ.get("BROWSER_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        *CHEMINS_CHROMIUM,
    ]
    for candidat in candidats:
        if candidat and os.path.isfile(candidat) and os.access(candidat, os.X_OK):
            return candidat
    raise RuntimeError(
        f"Chromium est introuvable : installez le paquet Debian « {PAQUET_CHROMIUM} » "
        f"(apt-get install {PAQUET_CHROMIUM}) ou indiquez son chemin dans BROWSER_PATH. "
        "kaleido ne télécharge jamais de navigateur ici (pas de kaleido.get_chrome)."
    )


def _serveur_kaleido():
    """Le serveur synchrone global de kaleido (objet interne, lu avec prudence)."""
    return getattr(kaleido, "_global_server", None)


def _fil_serveur_mort() -> bool:
    """Vrai si kaleido se croit démarré alors que son fil est mort.

    Cela arrive quand chromium plante au lancement (le fil meurt, kaleido se croit « ouvert »
    et tout appel attendrait sans fin) ou dans un processus issu d'un fork (les fils ne
    survivent pas au fork). Si kaleido change ses internes, on répond « non ».
    """
    serveur = _serveur_kaleido()
    if serveur is None or not serveur.is_running():
        return False
    fil = getattr(serveur, "_thread", None)
    return isinstance(fil, threading.Thread) and not fil.is_alive()


def _kaleido_demarre() -> bool:
    serveur = _serveur_kaleido()
    return bool(serveur is not None and serveur.is_running() and not _fil_serveur_mort())


def demarrer_kaleido(*, prechauffer: bool = False) -> None:
    """Démarre le serveur synchrone de kaleido pour ce processus, une seule fois.

    Idempotent : sans effet si le serveur tourne déjà (même démarré ailleurs par
    `kaleido.start_sync_server`); redémarre un serveur dont le fil est mort (fork, plantage).
    Passe à kaleido le chemin de chromium trouvé par `chemin_chromium` (RuntimeError nommant le
    paquet `chromium` s'il manque) et désactive MathJax, qui viendrait d'un CDN. kaleido lance
    chromium en `--headless --no-sandbox` par défaut : rien à ajouter pour tourner en root.

    Le démarrage rend la main aussitôt, chromium se lance en arrière-plan : la première figure
    paie ~1,4 s. Avec `prechauffer=True` (pour `worker_process_init`), une petite figure est
    dessinée tout de suite : ce coût est payé au démarrage du processus, et un chromium qui ne
    démarre pas lève une RuntimeError dès ce moment.
    """
    with _verrou:
        _demarrer_sans_verrou()
        if prechauffer:
            _calculer(_FIGURE_PRECHAUFFAGE, {"format": "svg", "width": 10, "height": 10})


_FIGURE_PRECHAUFFAGE: dict = {"data": [{"type": "scatter", "y": [0, 1]}], "layout": {}}


def _demarrer_sans_verrou() -> None:
    if _kaleido_demarre():
        return
    if _fil_serveur_mort():
        kaleido.stop_sync_server(silence_warnings=True)
    chemin = chemin_chromium()
    kaleido.start_sync_server(
        n=settings.EVALPIC_KALEIDO_ONGLETS, path=chemin, mathjax=False, silence_warnings=True
    )
    logger.info("Serveur kaleido démarré (chromium : %s, pid %s).", chemin, os.getpid())


def arreter_kaleido() -> None:
    """Arrête le serveur kaleido de ce processus (et son chromium); sans effet s'il est arrêté."""
    with _verrou:
        kaleido.stop_sync_server(silence_warnings=True)


def _calculer(figure: dict, options: dict) -> bytes:
    """Une figure, par le serveur kaleido."""
    return _surveiller(lambda: kaleido.calc_fig_sync(figure, opts=options))


def figures_en_img(
    figures: dict[str, dict], largeur: int = 900, hauteur: int = 420
) -> dict[str, str]:
    """Plusieurs figures d'un coup (clé → URI `data:image/svg+xml;base64,…`) : kaleido les
    dessine dans ses `EVALPIC_KALEIDO_ONGLETS` onglets en parallèle, près de deux fois plus vite qu'une à une."""
    if not figures:
        return {}
    options = {"format": "svg", "width": largeur, "height": hauteur}
    with tempfile.TemporaryDirectory(prefix="evalpic-kaleido-") as dossier, _verrou:
        _demarrer_sans_verrou()
        chemins = {cle: Path(dossier) / f"f{rang}.svg" for rang, cle in enumerate(figures)}
        lot = [
            {"fig": figures[cle], "path": chemin, "opts": options}
            for cle, chemin in chemins.items()
        ]
        erreurs = _surveiller(lambda: kaleido.write_fig_from_object_sync(lot))
        if erreurs:
            raise erreurs[0]
        return {
            cle: "data:image/svg+xml;base64,"
            + base64.b64encode(chemin.read_bytes()).decode("ascii")
            for cle, chemin in chemins.items()
        }


def _surveiller(appel):
    """Appelle le serveur kaleido en surveillant son fil : une erreur plutôt qu'une attente sans fin.

    kaleido abandonne lui-même une figure après 90 s; mais si son fil meurt (chromium planté),
    l'appel attendrait pour toujours : on le fait donc depuis un fil auxiliaire.
    """
    resultat: list = []
    erreurs: list[BaseException] = []

    def travail() -> None:
        try:
            resultat.append(appel())
        except BaseException as erreur:
            erreurs.append(erreur)

    fil = threading.Thread(target=travail, name="evalpic-kaleido", daemon=True)
    fil.start()
    while fil.is_alive():
        fil.join(0.05)  # rend la main dès la fin du fil : aucune latence ajoutée
        if fil.is_alive() and _fil_serveur_mort():
            kaleido.stop_sync_server(silence_warnings=True)
            raise RuntimeError(
                "Le serveur kaleido s'est arrêté : chromium a-t-il pu démarrer ? "
                "(journal « choreographer » au niveau DEBUG pour le détail). "
                "Il sera relancé au prochain appel."
            )
    if erreurs:
        raise erreurs[0]
    return resultat[0]


def figure_en_svg(figure: dict, largeur: int = 900, hauteur: int = 420) -> str:
    """Le SVG (texte) d'une figure Plotly en dictionnaire simple, dessiné par kaleido.

    Le dictionnaire `{"data": [...], "layout": {...}}` est passé tel quel, sans `go.Figure`;
    `largeur` et `hauteur` (en pixels CSS) l'emportent sur celles de la mise en page. Démarre le
    serveur kaleido au premier appel si besoin.
    """
    with _verrou:
        _demarrer_sans_verrou()
        image = _calculer(figure, {"format": "svg", "width": largeur, "height": hauteur})
    return image.decode("utf-8")


def figure_en_img(figure: dict, largeur: int = 900, hauteur: int = 420) -> str:
    """L'URI `data:image/svg+xml;base64,…` d'une figure, prête pour `<img src="…">`."""
    svg = figure_en_svg(figure, largeur=largeur, hauteur=hauteur)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


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
    base = base_url or BASE_URL_PAR_DEFAUT
    chercheur = ChercheurStatique(base_url=base)
    urls = [_url_feuille(feuille, base) for feuille in [FEUILLE_IMPRESSION, *(feuilles or [])]]
    document_html = HTML(string=_avec_feuilles(html, urls), base_url=base, url_fetcher=chercheur)
    polices = FontConfiguration()
    document = document_html.render(font_config=polices, pdf_variant=VARIANTE_PDF)
    if not document.metadata.title:
        document.metadata.title = _texte_premier(document_html, "h1") or "ÉvalPIC"
    if not document.metadata.lang:
        document.metadata.lang = get_language() or settings.LANGUAGE_CODE
    return document.write_pdf(pdf_variant=VARIANTE_PDF)
