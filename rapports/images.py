"""Les figures des bilans en images : figure Plotly → SVG, par kaleido 1.x et le chromium de Debian.

Les graphiques sont des dictionnaires simples `{"data": [...], "layout": {...}}` (voir
`rapports.graphiques`), passés tels quels à kaleido, qui les dessine avec plotly.js dans le
chromium de Debian (paquet apt `chromium`), sans réseau : jamais de `kaleido.get_chrome()` ni de
`plotly_get_chrome()`, qui téléchargent. Le SVG obtenu s'intègre au HTML du bilan en URI
`data:image/svg+xml;base64,…`; WeasyPrint le garde vectoriel, son texte reste du texte.

Un serveur kaleido (un chromium, `EVALPIC_KALEIDO_ONGLETS` onglets) par processus de travail,
démarré une fois (`worker_process_init` de Celery, jamais dans le processus parent avant le fork).
C'est le nôtre, pas le serveur global de kaleido, pour deux raisons :

- kaleido recharge l'onglet (plotly.js, ~4,6 Mo de JavaScript) après **chaque** figure : ~270 ms
  de CPU de chromium par figure, quand la figure elle-même en coûte ~35. `KaleidoEconome` ne
  recharge un onglet qu'après `RECHARGER_APRES` figures (ou après une erreur) : la mémoire de
  l'onglet reste bornée, et la figure coûte ~5 fois moins (mesuré sur le bilan du PIC);
- le fil du serveur est le nôtre : s'il meurt (chromium planté au lancement, fork), un appel
  lève une erreur au lieu d'attendre sans fin.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import logging
import os
import shutil
import threading

import kaleido
from django.conf import settings

logger = logging.getLogger(__name__)

#: Le paquet Debian qui fournit le navigateur de kaleido.
PAQUET_CHROMIUM = "chromium"
#: Les emplacements usuels de chromium, essayés après `BROWSER_PATH` et le PATH.
CHEMINS_CHROMIUM: tuple[str, ...] = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
#: Figures dessinées par un onglet avant de le recharger (kaleido : 1). Borne la mémoire de
#: l'onglet sans payer le rechargement de plotly.js à chaque figure.
RECHARGER_APRES = 50


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


class KaleidoEconome(kaleido.Kaleido):
    """Le `Kaleido` de kaleido, qui ne recharge un onglet qu'après `recharger_apres` figures.

    kaleido rend chaque onglet par `_return_kaleido_tab`, qui le recharge toujours; ici, un
    onglet est rendu tel quel et rechargé quand on le reprend, s'il a dessiné ses
    `recharger_apres` figures. Après une figure ratée (délai, erreur de plotly.js), chaque onglet
    est rechargé avant sa figure suivante : rien d'une figure ratée ne passe à la suivante.
    `rechargements` compte les rechargements (diagnostic, tests).
    """

    def __init__(self, *args, recharger_apres: int = RECHARGER_APRES, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._recharger_apres = max(1, recharger_apres)
        self._figures_par_onglet: dict[str, int] = {}
        self.rechargements = 0

    async def _get_kaleido_tab(self):
        onglet = await super()._get_kaleido_tab()
        cle = onglet.tab.target_id
        if self._figures_par_onglet.get(cle, 0) >= self._recharger_apres:
            await onglet.reload()
            self.rechargements += 1
            self._figures_par_onglet[cle] = 0
        return onglet

    async def _return_kaleido_tab(self, tab) -> None:
        cle = tab.tab.target_id
        self._figures_par_onglet[cle] = self._figures_par_onglet.get(cle, 0) + 1
        await self.tabs_ready.put(tab)

    async def _render_task(self, fig_arg, **kwargs):
        try:
            return await super()._render_task(fig_arg, **kwargs)
        except BaseException:
            # L'onglet fautif est déjà rendu : tous seront rechargés avant leur figure suivante.
            self._figures_par_onglet = dict.fromkeys(
                self._figures_par_onglet, self._recharger_apres
            )
            raise


class ServeurKaleido:
    """Un `KaleidoEconome` dans un fil à lui, qui fait tourner sa boucle asyncio; les autres fils
    lui confient leurs figures par `asyncio.run_coroutine_threadsafe`."""

    def __init__(self, *, chemin: str, onglets: int, recharger_apres: int) -> None:
        self._boucle = asyncio.new_event_loop()
        self._moteur: KaleidoEconome | None = None
        self._fin = asyncio.Event()
        self._erreur: BaseException | None = None
        self._fil = threading.Thread(
            target=self._boucle.run_until_complete,
            args=(self._servir(chemin, onglets, recharger_apres),),
            name="evalpic-kaleido",
            daemon=True,
        )
        self._fil.start()

    async def _servir(self, chemin: str, onglets: int, recharger_apres: int) -> None:
        try:
            async with KaleidoEconome(
                n=onglets, path=chemin, mathjax=False, recharger_apres=recharger_apres
            ) as moteur:
                self._moteur = moteur
                await self._fin.wait()
        except BaseException as erreur:
            self._erreur = erreur
            raise

    async def _dessiner(self, figures: list[dict], options: dict) -> list[bytes]:
        while self._moteur is None:  # chromium se lance encore
            await asyncio.sleep(0.01)
        # Une figure par appel : chacune prend un onglet libre; les résultats restent dans l'ordre.
        return await asyncio.gather(
            *(self._moteur.calc_fig(figure, opts=options) for figure in figures)
        )

    @property
    def vivant(self) -> bool:
        return self._fil.is_alive()

    @property
    def rechargements(self) -> int:
        return self._moteur.rechargements if self._moteur is not None else 0

    def dessiner(self, figures: list[dict], options: dict) -> list[bytes]:
        """Les images des figures, dans l'ordre; une erreur plutôt qu'une attente sans fin si le
        fil meurt (chromium planté). kaleido abandonne lui-même une figure après 90 s."""
        if not self.vivant:
            raise _serveur_arrete(self._erreur)
        futur = asyncio.run_coroutine_threadsafe(self._dessiner(figures, options), self._boucle)
        while True:
            try:
                return futur.result(timeout=0.05)
            except concurrent.futures.TimeoutError:
                if not self.vivant:
                    futur.cancel()
                    raise _serveur_arrete(self._erreur) from None

    def arreter(self) -> None:
        """Ferme kaleido et son chromium, puis la boucle."""
        if self.vivant:
            self._boucle.call_soon_threadsafe(self._fin.set)
            self._fil.join(timeout=30)


def _serveur_arrete(cause: BaseException | None) -> RuntimeError:
    erreur = RuntimeError(
        "Le serveur kaleido s'est arrêté : chromium a-t-il pu démarrer ? "
        "(journal « choreographer » au niveau DEBUG pour le détail). "
        "Il sera relancé au prochain appel."
    )
    erreur.__cause__ = cause
    return erreur


# Un serveur par processus; le verrou sérialise les appels (et le démarrage) entre fils.
_serveur: ServeurKaleido | None = None
_verrou = threading.Lock()


def _apres_fork() -> None:
    """Dans l'enfant d'un fork, ni le fil du serveur ni le verrou tenu n'existent plus."""
    global _serveur, _verrou
    _serveur, _verrou = None, threading.Lock()


os.register_at_fork(after_in_child=_apres_fork)
atexit.register(lambda: arreter_kaleido())

_FIGURE_PRECHAUFFAGE: dict = {"data": [{"type": "scatter", "y": [0, 1]}], "layout": {}}


def _demarrer_sans_verrou() -> ServeurKaleido:
    global _serveur
    if _serveur is not None and _serveur.vivant:
        return _serveur
    chemin = chemin_chromium()
    _serveur = ServeurKaleido(
        chemin=chemin, onglets=settings.EVALPIC_KALEIDO_ONGLETS, recharger_apres=RECHARGER_APRES
    )
    logger.info("Serveur kaleido démarré (chromium : %s, pid %s).", chemin, os.getpid())
    return _serveur


def demarrer_kaleido(*, prechauffer: bool = False) -> None:
    """Démarre le serveur kaleido de ce processus, une seule fois.

    Idempotent; redémarre un serveur dont le fil est mort (fork, plantage). Passe à kaleido le
    chemin de chromium trouvé par `chemin_chromium` (RuntimeError nommant le paquet `chromium`
    s'il manque) et désactive MathJax, qui viendrait d'un CDN. kaleido lance chromium en
    `--headless --no-sandbox` par défaut : rien à ajouter pour tourner en root.

    Chromium se lance en arrière-plan : la première figure paie ~1,4 s. Avec `prechauffer=True`
    (pour `worker_process_init`), une petite figure est dessinée tout de suite : ce coût est payé
    au démarrage du processus, et un chromium qui ne démarre pas lève une RuntimeError dès ce
    moment.
    """
    with _verrou:
        serveur = _demarrer_sans_verrou()
        if prechauffer:
            serveur.dessiner([_FIGURE_PRECHAUFFAGE], {"format": "svg", "width": 10, "height": 10})


def arreter_kaleido() -> None:
    """Arrête le serveur kaleido de ce processus (et son chromium); sans effet s'il est arrêté."""
    global _serveur
    with _verrou:
        if _serveur is not None:
            _serveur.arreter()
            _serveur = None


def rechargements_d_onglets() -> int:
    """Les rechargements d'onglets du serveur de ce processus depuis son démarrage."""
    return _serveur.rechargements if _serveur is not None else 0


def _en_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def figures_en_img(
    figures: dict[str, dict], largeur: int = 900, hauteur: int = 420
) -> dict[str, str]:
    """Plusieurs figures d'un coup (clé → URI `data:image/svg+xml;base64,…`), réparties entre
    les `EVALPIC_KALEIDO_ONGLETS` onglets de kaleido."""
    if not figures:
        return {}
    options = {"format": "svg", "width": largeur, "height": hauteur}
    with _verrou:
        images = _demarrer_sans_verrou().dessiner(list(figures.values()), options)
    return {cle: _en_uri(image) for cle, image in zip(figures, images, strict=True)}


def figure_en_svg(figure: dict, largeur: int = 900, hauteur: int = 420) -> str:
    """Le SVG (texte) d'une figure Plotly en dictionnaire simple, dessiné par kaleido.

    Le dictionnaire `{"data": [...], "layout": {...}}` est passé tel quel, sans `go.Figure`;
    `largeur` et `hauteur` (en pixels CSS) l'emportent sur celles de la mise en page. Démarre le
    serveur kaleido au premier appel si besoin.
    """
    options = {"format": "svg", "width": largeur, "height": hauteur}
    with _verrou:
        (image,) = _demarrer_sans_verrou().dessiner([figure], options)
    return image.decode("utf-8")


def figure_en_img(figure: dict, largeur: int = 900, hauteur: int = 420) -> str:
    """L'URI `data:image/svg+xml;base64,…` d'une figure, prête pour `<img src="…">`."""
    return _en_uri(figure_en_svg(figure, largeur=largeur, hauteur=hauteur).encode("utf-8"))
