"""Un grand PDF peint à plusieurs : une base qui met en page et peint le document, des tranches
qui ne peignent que leurs figures, puis la réunion en un seul PDF balisé.

Le coût d'un grand bilan en PDF est surtout de peindre ses graphiques SVG (WeasyPrint trace le
texte des SVG lettre par lettre). La **base** met en page le document entier et le peint, avec
ses propres figures et, à la place de celles des autres tranches, un `emplacement` : une petite image
matricielle blanche, aux proportions de la figure, propre à sa clé. La mise en page, les numéros de
page, la table des matières, les liens, les signets et le balisage PDF/UA sont donc ceux du
document peint d'un coup : un emplacement est dessiné là où la figure l'aurait été, dans le
même contenu marqué `Figure`.

Une **tranche de figures** ne met rien en page : elle peint chacune de ses figures sur une page
à sa taille (`peindre_figures`), sans balisage.

La **réunion** part du PDF de la base et, dans les ressources de ses pages, remplace l'image de
chaque emplacement par la page de sa figure, devenue un XObject de formulaire ramené au carré
unité, comme une image. Le contenu des pages de la base n'est pas touché : ses identifiants de
contenu marqué (MCID), ses liens et son arbre de structure restent justes. Une figure peinte
deux fois ou sans emplacement lève une `TranchesIncompatibles`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import math
from dataclasses import dataclass

import pikepdf
from django.utils.html import escape
from PIL import Image, PngImagePlugin
from weasyprint import HTML

from rapports.pdf import ChercheurStatique, sans_ramasse_miettes


class TranchesIncompatibles(ValueError):
    """Des figures qui n'ont pas leur place dans la base, ou peintes par deux tranches."""


@dataclass(frozen=True)
class Figures:
    """Le PDF d'une tranche de figures : la figure de `cles[n]` sur sa page n."""

    pdf: bytes
    cles: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def emplacement(cle: str, largeur: int = 900, hauteur: int = 420) -> str:
    """L'URI `data:` de l'image qui tient la place d'une figure dans la base : un PNG blanc
    d'un bit, des proportions de la figure (15 × 7 pixels pour 900 × 420 : la feuille
    d'impression donne aux figures toute la largeur, la hauteur suit les proportions). En
    petit, WeasyPrint le lit et l'écrit pour presque rien : 153 emplacements à la taille
    réelle coûtaient ~0,8 s à la base du bilan du PIC. Il porte `cle` : une URI propre à chaque
    figure, donc une image à part dans le PDF (voir `_nom_de_ressource`)."""
    infos = PngImagePlugin.PngInfo()
    infos.add_text("evalpic-figure", cle)
    sortie = io.BytesIO()
    diviseur = math.gcd(largeur, hauteur)
    taille = (largeur // diviseur, hauteur // diviseur)
    Image.new("1", taille, 1).save(sortie, "PNG", pnginfo=infos)
    return "data:image/png;base64," + base64.b64encode(sortie.getvalue()).decode("ascii")


def _nom_de_ressource(uri: str) -> str:
    """Le début du nom que WeasyPrint donne à une image matricielle dans les ressources d'une
    page : « i », l'empreinte MD5 de son URI, puis un chiffre (interpolation). Si WeasyPrint
    change ce nom, la réunion ne trouve plus les emplacements et lève une erreur."""
    return "/i" + hashlib.md5(uri.encode(), usedforsecurity=False).hexdigest()


def peindre_figures(images: dict[str, str], largeur: int = 900, hauteur: int = 420) -> Figures:
    """Chaque image (clé → URI `data:`, de `largeur` × `hauteur` pixels CSS) peinte sur sa
    page, à sa taille, sans mise en page du document ni balisage. Sans image (une tranche
    dont les quartiers n'ont aucune série), aucun PDF."""
    if not images:
        return Figures(pdf=b"", cles=())
    pages = "".join(f'<img src="{escape(uri)}" alt="">' for uri in images.values())
    html = (
        "<!doctype html><html><head><style>"
        f"@page {{ size: {largeur}px {hauteur}px; margin: 0 }} body {{ margin: 0 }} "
        f"img {{ display: block; width: {largeur}px; height: {hauteur}px; break-after: page }}"
        f"</style></head><body>{pages}</body></html>"
    )
    with sans_ramasse_miettes():
        pdf = HTML(string=html, url_fetcher=ChercheurStatique()).write_pdf()
    return Figures(pdf=pdf, cles=tuple(images))


def reunir(base: bytes, tranches: list[Figures]) -> bytes:
    """Le PDF de la `base` où chaque emplacement montre la figure peinte par une tranche. Par
    qpdf (pikepdf) : quelques dixièmes de seconde pour le bilan du PIC."""
    with pikepdf.open(io.BytesIO(base)) as cible:
        formulaires: dict[str, pikepdf.Object] = {}
        for rang, tranche in enumerate(tranches, start=1):
            if not tranche.cles:
                continue
            with pikepdf.open(io.BytesIO(tranche.pdf)) as source:
                if len(source.pages) != len(tranche.cles):
                    raise TranchesIncompatibles(
                        f"La tranche {rang} a {len(source.pages)} pages pour "
                        f"{len(tranche.cles)} figures."
                    )
                for cle, page in zip(tranche.cles, source.pages, strict=True):
                    nom = _nom_de_ressource(emplacement(cle))
                    if nom in formulaires:
                        raise TranchesIncompatibles(f"La figure {cle} est peinte deux fois.")
                    formulaires[nom] = cible.copy_foreign(_formulaire_unite(source, page))
        remplaces = _remplacer_les_emplacements(cible, formulaires)
        manquants = [
            cle
            for tranche in tranches
            for cle in tranche.cles
            if _nom_de_ressource(emplacement(cle)) not in remplaces
        ]
        if manquants:
            raise TranchesIncompatibles(
                f"Aucune place dans la base pour les figures : {', '.join(manquants)}."
            )
        sortie = io.BytesIO()
        cible.save(sortie, deterministic_id=True)
        return sortie.getvalue()


def _formulaire_unite(source: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Object:
    """La page en XObject de formulaire dessiné dans le carré unité, comme une image : le
    contenu de la base qui peignait l'emplacement (`cm` à la taille de la figure, puis `Do`) le
    peint à la même place et à la même taille. Le flux de la page (un seul chez WeasyPrint) est
    repris tel quel, compressé : `as_form_xobject` le décompresse, et le PDF triple."""
    contenu = page.obj.Contents
    if isinstance(contenu, pikepdf.Stream):
        formulaire = pikepdf.Stream(source, b"")
        formulaire.write(
            contenu.read_raw_bytes(),
            filter=contenu.get("/Filter"),
            decode_parms=contenu.get("/DecodeParms"),
        )
        formulaire.Type, formulaire.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        formulaire.BBox, formulaire.Resources = page.mediabox, page.obj.Resources
    else:
        formulaire = page.as_form_xobject()
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    largeur, hauteur = x1 - x0, y1 - y0
    formulaire.Matrix = pikepdf.Array(
        [1 / largeur, 0, 0, 1 / hauteur, -x0 / largeur, -y0 / hauteur]
    )
    return formulaire


def _remplacer_les_emplacements(
    cible: pikepdf.Pdf, formulaires: dict[str, pikepdf.Object]
) -> set[str]:
    """Remplace, dans les ressources des pages (et des formulaires qu'elles dessinent), chaque
    image d'emplacement par son formulaire; rend les débuts de noms remplacés."""
    remplaces: set[str] = set()
    vus: set[tuple[int, int]] = set()  # dictionnaires de ressources et formulaires déjà vus

    def parcourir(ressources) -> None:
        if ressources is None or ressources.objgen in vus:  # WeasyPrint : un seul pour tout
            return
        if ressources.is_indirect:
            vus.add(ressources.objgen)
        objets = ressources.get("/XObject")
        if objets is None:
            return
        for nom in list(objets.keys()):
            debut, objet = nom[:-1], objets[nom]  # sans le chiffre de l'interpolation
            if debut in formulaires:
                objets[nom] = formulaires[debut]
                remplaces.add(debut)
            elif objet.get("/Subtype") == "/Form" and objet.objgen not in vus:
                vus.add(objet.objgen)
                parcourir(objet.get("/Resources"))

    for page in cible.pages:
        parcourir(page.obj.get("/Resources"))
    return remplaces
