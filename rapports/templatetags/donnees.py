"""Les tableaux de données des graphiques, écrits en Python plutôt que par des boucles de
gabarit : un tableau de bord en montre des milliers de cellules (125 courbes de 12 lignes pour
un quartier), et chaque `{{ … }}` d'une boucle de gabarit coûte bien plus qu'une f-chaîne. Même
sortie, à l'octet, que la boucle qu'ils remplacent (tests/rapports/test_donnees.py) : nombres
au format de la langue active (`nombre`), un tiret pour une valeur manquante, textes échappés
(`html.escape`, ce que fait `django.utils.html.escape` sans son enveloppe paresseuse). Une
valeur « non disponible » s'écrit « n.d. », sa raison en titre (`non_disponible`)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from evalpic.nombres import formateur_de_nombres
from evalpic.traduction import une_fois_par_langue

register = template.Library()

TIRET = "—"  # une valeur manquante


@une_fois_par_langue
def textes_non_disponible() -> tuple[str, str]:
    """« n.d. » et le gabarit « non disponible (%(raison)s) », traduits une fois par langue."""
    # Translators: abréviation de « non disponible » dans une case de tableau (anglais : n/a).
    return _("n.d."), _("non disponible (%(raison)s)")


def non_disponible(raison: str) -> str:
    """Une valeur « non disponible » : « n.d. » (`<abbr>`), sa raison en titre. Les bilans
    écrivent aussi la raison en note sous le tableau (un titre ne s'imprime pas)."""
    abreviation, gabarit = textes_non_disponible()
    titre = escape(gabarit % {"raison": raison})
    return f'<abbr class="non-disponible" title="{titre}">{escape(abreviation)}</abbr>'


def _absence_ou_tiret(ligne: dict) -> str:
    if ligne.get("non_disponible"):
        return non_disponible(ligne.get("raison", ""))
    return TIRET


def _absence_du_point(point) -> str:
    return non_disponible(point.raison) if point.non_disponible else TIRET


def _ligne_de_texte(ligne: dict, colonnes: int) -> str:
    """La ligne d'un indicateur en texte : la période, puis son texte (« n.d. » ou un tiret
    s'il manque) sur `colonnes` colonnes."""
    etendue = f' colspan="{colonnes}"' if colonnes > 1 else ""
    texte = escape(ligne["texte"]) if ligne["texte"] else _absence_ou_tiret(ligne)
    return (
        f'<tr><th scope="row">{escape(str(ligne["periode"]))}</th>'
        f'<td class="texte"{etendue}>{texte}</td></tr>'
    )


@register.simple_tag
def lignes_de_textes(lignes: list[dict]) -> SafeString:
    """Les `<tr>` du tableau des textes d'un indicateur en texte (période → texte)."""
    return SafeString("".join(_ligne_de_texte(ligne, 1) for ligne in lignes))


@register.simple_tag
def textes_de_serie(serie) -> SafeString:
    """Les `<tr>` des textes d'une série d'un indicateur en texte, une ligne par période."""
    return SafeString(
        "".join(
            _ligne_de_texte(
                {
                    "periode": point.libelle,
                    "texte": point.texte,
                    "non_disponible": point.non_disponible,
                    "raison": point.raison,
                },
                1,
            )
            for point in serie.points
        )
    )


@register.simple_tag
def lignes_de_courbe(lignes: list[dict]) -> SafeString:
    """Les `<tr>` du tableau d'une courbe (`graphiques.lignes_de_la_courbe`) : période, valeur
    (« n.d. » si elle est non disponible, un tiret si elle manque), cible et référence. Les
    lignes d'un indicateur en texte (clé « texte ») mettent leur texte sur les trois colonnes."""
    if lignes and "texte" in lignes[0]:
        return SafeString("".join(_ligne_de_texte(ligne, 3) for ligne in lignes))
    nombre = formateur_de_nombres()
    return SafeString(
        "".join(
            f'<tr><th scope="row">{escape(str(ligne["periode"]))}</th>'
            f'<td class="nombre">{escape(nombre(ligne["valeur"])) or _absence_ou_tiret(ligne)}</td>'
            f'<td class="nombre">{escape(nombre(ligne["cible"]))}</td>'
            f'<td class="nombre">{escape(nombre(ligne["reference"]))}</td></tr>'
            for ligne in lignes
        )
    )


@register.simple_tag
def cellules_de_serie(serie) -> SafeString:
    """Les `<td>` d'une série dans le tableau d'un indicateur entre quartiers : sa référence (un
    tiret s'il n'y en a pas), puis la valeur de chaque période (« n.d. » si elle est non
    disponible, un tiret si elle manque)."""
    nombre = formateur_de_nombres()
    valeurs = "".join(
        f'<td class="nombre">{escape(nombre(point.valeur)) or _absence_du_point(point)}</td>'
        for point in serie.points
    )
    reference = escape(nombre(serie.reference)) or TIRET  # sans référence : un tiret
    return SafeString(f'<td class="nombre">{reference}</td>{valeurs}')
