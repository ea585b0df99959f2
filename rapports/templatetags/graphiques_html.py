"""Un graphique Plotly et la courbe d'un indicateur, écrits en Python plutôt que par des gabarits
inclus : le tableau de bord d'un quartier en montre 125, et chaque `{% include %}` d'une boucle
(chargement, contexte, `{% with %}`, une vingtaine de `{{ … }}`) coûte bien plus qu'une
f-chaîne. Même sortie, à l'octet, que les gabarits `_partials/_graphique.html` et
`rapports/_courbe.html` qu'ils remplacent, au JSON des figures près (`evalpic.script_json`,
le même une fois lu; tests/rapports/test_graphiques_html.py). Seul ajout depuis : le nom de
l'indicateur en lien vers sa page entre les quartiers, quand la vue en donne l'adresse
(`courbe["adresse"]`; tests/rapports/test_liens_vers_un_indicateur.py).

Le graphique : le conteneur est un groupe (`role="group"`) et non une image, car la barre
d'outils de Plotly y met des boutons focalisables; son dessin SVG est masqué aux lecteurs
d'écran, le tableau de données qui suit dans la page en est l'équivalent (sans JavaScript). La
figure voyage en JSON (`evalpic.script_json`), dessinée par `js/graphiques.js`."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from evalpic.script_json import script_json
from evalpic.traduction import une_fois_par_langue
from rapports.templatetags.donnees import (
    lignes_de_courbe,
    lignes_de_textes,
    textes_non_disponible,
)

register = template.Library()


@une_fois_par_langue
def _aide_du_graphique() -> str:
    return conditional_escape(_("les données sont dans le tableau qui suit"))


@une_fois_par_langue
def _textes_de_la_courbe() -> tuple[str, str, str]:
    """Les textes de chaque courbe, traduits une fois par langue : le gabarit du résumé, celui de
    la légende du tableau, et les en-têtes de ses colonnes."""
    entetes = "".join(
        f'<th scope="col"{classe}>{conditional_escape(texte)}</th>'
        for classe, texte in (
            ("", _("Période")),
            (' class="nombre"', _("Valeur")),
            (' class="nombre"', _("Cible")),
            (' class="nombre"', _("Référence")),
        )
    )
    return _("Données : %(nom)s"), _("%(nom)s : valeurs, cibles et référence"), entetes


@une_fois_par_langue
def _textes_du_tableau_de_textes() -> tuple[str, str]:
    """La légende du tableau des textes (gabarit) et ses en-têtes de colonnes."""
    entetes = "".join(
        f'<th scope="col">{conditional_escape(texte)}</th>' for texte in (_("Période"), _("Texte"))
    )
    return _("Textes de %(nom)s, par trimestre"), entetes


def _figure_de_textes(figure: dict) -> bool:
    """La figure d'un indicateur en texte (`graphiques.figure_des_textes`) : rien à dessiner
    dans une page, le tableau HTML de ses textes suit."""
    return bool(figure.get("layout", {}).get("meta", {}).get("texte"))


@register.simple_tag
def graphique(id: str, titre, figure: dict) -> SafeString:
    """Un graphique Plotly : titre (caché, pour l'accessibilité), conteneur et données JSON.
    Rien pour un indicateur en texte : son tableau de textes suit dans la page."""
    if _figure_de_textes(figure):
        return SafeString("")
    ident, nom = conditional_escape(id), conditional_escape(titre)
    aide = _aide_du_graphique()
    return SafeString(
        f'\n<figure class="graphique" aria-labelledby="{ident}-titre">\n'
        f'  <figcaption id="{ident}-titre" class="visuellement-cache">{nom}</figcaption>\n'
        f'  <div class="graphique__trace" data-figure="{ident}-donnees" role="group" '
        f'aria-label="{nom} — {aide}"></div>\n'
        f"  {script_json(figure, f'{id}-donnees')}\n"
        "</figure>\n"
    )


@register.simple_tag
def article_de_courbe(courbe: dict) -> SafeString:
    """La courbe d'un indicateur au tableau de bord d'un quartier : titre (le nom en lien vers
    l'indicateur entre les quartiers, `courbe["adresse"]`) et statut, graphique, puis, repliés,
    son tableau de données et ses apprentissages épinglés."""
    serie = courbe["serie"]
    if _figure_de_textes(courbe["figure"]):
        return _article_de_textes(serie, courbe["lignes"], courbe.get("adresse"))
    code, nom = conditional_escape(serie.code), conditional_escape(serie.nom)
    nom_lie = _lien(courbe.get("adresse"), nom)
    statut = conditional_escape(courbe["statut"])
    # Comme `{% blocktranslate with nom=… %}` : le nom est échappé, pas le texte traduit. (Hors
    # des f-chaînes : xgettext n'y voit pas les textes à traduire.)
    gabarit_du_resume, gabarit_de_la_legende, entetes = _textes_de_la_courbe()
    resume = gabarit_du_resume % {"nom": nom}
    legende = gabarit_de_la_legende % {"nom": nom}
    reperes = _absences(serie) + _reperes(serie)
    return SafeString(
        f'\n<article class="courbe" id="courbe-{code}">\n'
        f'  <h3><span class="code">{code}</span> {nom_lie} <span class="statut statut--{statut}">'
        f"{conditional_escape(courbe['libelle_statut'])}</span></h3>\n"
        f"  {graphique('fig-' + str(serie.code), serie.nom, courbe['figure'])}\n"
        "  <details>\n"
        f"    <summary>{resume}</summary>\n"
        '    <table class="tableau">\n'
        '      <caption class="visuellement-cache">'
        f"{legende}</caption>\n"
        f"      <thead><tr>{entetes}</tr></thead>\n"
        f"      <tbody>{lignes_de_courbe(courbe['lignes'])}</tbody>\n"
        "    </table>\n"
        f"    {reperes}\n"
        "  </details>\n"
        "</article>\n"
    )


def _lien(adresse: str | None, texte: str) -> str:
    """`texte` (déjà échappé) en lien vers `adresse` (la page de l'indicateur entre les
    quartiers, que la vue donne à la courbe), ou tel quel sans adresse."""
    return f'<a href="{conditional_escape(adresse)}">{texte}</a>' if adresse else texte


def _reperes(serie) -> str:
    """Les apprentissages épinglés à la courbe, en liste (vide s'il n'y en a pas)."""
    if not serie.reperes:
        return ""
    elements = "".join(
        f"<li><strong>{conditional_escape(repere.libelle)} — "
        f"{conditional_escape(repere.categorie)}</strong> : "
        f"{conditional_escape(repere.texte)}</li>"
        for repere in serie.reperes
    )
    return f'\n      <ul class="reperes">{elements}</ul>\n    '


def _absences(serie) -> str:
    """Les valeurs « non disponible » de la courbe et leurs raisons, en liste (vide s'il n'y en
    a pas) : dans le tableau, la raison n'est qu'un titre, que le clavier n'atteint pas."""
    gabarit = textes_non_disponible()[1]
    elements = "".join(
        f"<li>{conditional_escape(point.libelle)} — "
        f"{conditional_escape(gabarit % {'raison': point.raison})}</li>"
        for point in serie.points
        if point.non_disponible
    )
    return f'\n      <ul class="note absences">{elements}</ul>\n    ' if elements else ""


def _article_de_textes(serie, lignes: list[dict], adresse: str | None = None) -> SafeString:
    """Un indicateur en texte au tableau de bord d'un quartier : ni graphique ni statut (il n'en
    a pas, `statuts.a_un_statut`), le tableau de ses textes par trimestre, visible d'emblée."""
    code, nom = conditional_escape(serie.code), conditional_escape(serie.nom)
    return SafeString(
        f'\n<article class="courbe courbe--texte" id="courbe-{code}">\n'
        f'  <h3><span class="code">{code}</span> {_lien(adresse, nom)}</h3>\n'
        f"  {tableau_de_textes(serie.nom, lignes)}\n"
        f"  {_absences(serie)}{_reperes(serie)}\n"
        "</article>\n"
    )


@register.simple_tag
def tableau_de_textes(nom: str, lignes: list[dict], classes: str = "") -> SafeString:
    """Le tableau des textes d'un indicateur en texte, une ligne par trimestre : « Période »,
    « Texte » (`lignes` : `graphiques.lignes_de_la_courbe`). Le tableau de bord d'un quartier
    et les bilans l'écrivent ainsi; `classes` s'ajoute à celles du tableau."""
    gabarit_de_la_legende, entetes = _textes_du_tableau_de_textes()
    legende = gabarit_de_la_legende % {"nom": conditional_escape(nom)}
    classes = f"tableau tableau--textes {conditional_escape(classes)}".strip()
    return SafeString(
        f'<table class="{classes}">\n'
        f'    <caption class="visuellement-cache">{legende}</caption>\n'
        f"    <thead><tr>{entetes}</tr></thead>\n"
        f"    <tbody>{lignes_de_textes(lignes)}</tbody>\n"
        "  </table>"
    )


@register.simple_tag
def indicateurs_du_changement(noeud: dict, adresses: dict | None) -> SafeString:
    """La cellule « Indicateurs » d'un changement visé du tableau de la théorie du changement :
    chaque code, lié à sa page entre les quartiers s'il en a une, suivi du mot qui dit pourquoi
    le quartier ne le mesure pas (« retiré »…). Écrite en Python (une boucle de gabarit avec deux
    `{% with %}` par indicateur coûtait plus que le reste de la page)."""
    adresses = adresses or {}
    non_mesures = noeud.get("non_mesures") or {}
    morceaux = []
    for code in noeud["indicateurs"]:
        texte = conditional_escape(code)
        if adresse := adresses.get(code):
            texte = f'<a href="{conditional_escape(adresse)}">{texte}</a>'
        if etat := non_mesures.get(code):
            mot = conditional_escape(etat.label)
            texte += f' <span class="etiquette etiquette--non-mesure">{mot}</span>'
        morceaux.append(texte)
    return SafeString(", ".join(morceaux))
