"""Les tableaux de données des graphiques, écrits en Python plutôt que par des boucles de
gabarit : un tableau de bord en montre des milliers de cellules (125 courbes de 12 lignes pour
un quartier), et chaque `{{ … }}` d'une boucle de gabarit coûte bien plus qu'une f-chaîne. Même
sortie, à l'octet, que la boucle qu'ils remplacent (tests/rapports/test_donnees.py) : nombres
au format de la langue active (`nombre`), un tiret pour une valeur manquante, textes échappés
(`html.escape`, ce que fait `django.utils.html.escape` sans son enveloppe paresseuse)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString

from evalpic.nombres import formateur_de_nombres

register = template.Library()

TIRET = "—"  # une valeur manquante


def _ligne_de_texte(ligne: dict, colonnes: int) -> str:
    """La ligne d'un indicateur en texte : la période, puis son texte (un tiret s'il manque)
    sur `colonnes` colonnes."""
    etendue = f' colspan="{colonnes}"' if colonnes > 1 else ""
    return (
        f'<tr><th scope="row">{escape(str(ligne["periode"]))}</th>'
        f'<td class="texte"{etendue}>{escape(ligne["texte"] or TIRET)}</td></tr>'
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
            _ligne_de_texte({"periode": point.libelle, "texte": point.texte}, 1)
            for point in serie.points
        )
    )


@register.simple_tag
def lignes_de_courbe(lignes: list[dict]) -> SafeString:
    """Les `<tr>` du tableau d'une courbe (`graphiques.lignes_de_la_courbe`) : période, valeur
    (un tiret si elle manque), cible et référence. Les lignes d'un indicateur en texte (clé
    « texte ») mettent leur texte sur les trois colonnes."""
    if lignes and "texte" in lignes[0]:
        return SafeString("".join(_ligne_de_texte(ligne, 3) for ligne in lignes))
    nombre = formateur_de_nombres()
    return SafeString(
        "".join(
            f'<tr><th scope="row">{escape(str(ligne["periode"]))}</th>'
            f'<td class="nombre">{escape(nombre(ligne["valeur"]) or TIRET)}</td>'
            f'<td class="nombre">{escape(nombre(ligne["cible"]))}</td>'
            f'<td class="nombre">{escape(nombre(ligne["reference"]))}</td></tr>'
            for ligne in lignes
        )
    )


@register.simple_tag
def cellules_de_serie(serie) -> SafeString:
    """Les `<td>` d'une série dans le tableau d'un indicateur entre quartiers : sa référence,
    puis la valeur de chaque période (un tiret si elle manque)."""
    nombre = formateur_de_nombres()
    valeurs = "".join(
        f'<td class="nombre">{escape(nombre(point.valeur) or TIRET)}</td>' for point in serie.points
    )
    return SafeString(f'<td class="nombre">{escape(nombre(serie.reference))}</td>{valeurs}')
