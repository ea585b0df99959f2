"""Les nombres écrits au format de la langue active, pour les gabarits (filtre `nombre`) comme
pour les formulaires, les messages de validation et les constats des bilans."""

import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, DecimalException

from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import get_language, pgettext


def nombre(valeur) -> str:
    """Un nombre sans zéros inutiles ni notation scientifique, au format de la langue active
    (« 1 234,5 » en français, « 1,234.5 » en anglais) : le résultat de Django
    `number_format(…, use_l10n=True, force_grouping=True)`, sans son coût (un tableau de bord en
    formate des milliers). Ce qui n'est pas un nombre s'écrit tel quel, sans erreur : un texte
    enregistré pour un indicateur chiffré (par un shell, une migration) ne fait pas tomber la
    page qui l'affiche."""
    if valeur is None or valeur == "":
        return ""
    return _formater(valeur, *_separateurs(get_language() or "fr"))


def formateur_de_nombres() -> Callable[[object], str]:
    """`nombre` pour la langue active, lue une seule fois, et qui se souvient des nombres déjà
    écrits (une référence revient à chaque ligne d'un tableau) : pour les milliers de cellules
    d'un tableau de données."""
    separateurs = _separateurs(get_language() or "fr")
    ecrits: dict = {}

    def formater(valeur) -> str:
        if valeur is None or valeur == "":
            return ""
        texte = ecrits.get(valeur)
        if texte is None:
            texte = ecrits[valeur] = _formater(valeur, *separateurs)
        return texte

    return formater


# Au-delà, un texte qui se lit comme un nombre (« 1e999998 ») s'écrit tel quel : chiffre par
# chiffre, il en ferait un million. Les valeurs enregistrées ont 14 chiffres au plus.
EXPOSANT_MAX = 40


def _formater(valeur, separateur_decimal: str, separateur_milliers: str, groupe: int) -> str:
    try:
        decimal = Decimal(str(valeur))
        if not decimal.is_finite() or abs(decimal.adjusted()) > EXPOSANT_MAX:
            return str(valeur)  # « inf », « NaN », « 1e9999999 » : pas un nombre à écrire
        texte = format(decimal.normalize(), "f")
    except (DecimalException, ValueError):  # pas un nombre (« abc »)
        return str(valeur)
    signe, texte = ("-", texte[1:]) if texte.startswith("-") else ("", texte)
    entier, _point, decimales = texte.partition(".")
    if groupe > 0 and len(entier) > groupe:
        tete = len(entier) % groupe or groupe
        morceaux = [entier[:tete]] + [
            entier[i : i + groupe] for i in range(tete, len(entier), groupe)
        ]
        entier = separateur_milliers.join(morceaux)
    if signe and entier.strip("0" + separateur_milliers) == "" and not decimales.strip("0"):
        signe = ""  # pas de « -0 »
    return signe + entier + (separateur_decimal + decimales if decimales else "")


@functools.lru_cache(maxsize=16)
def _separateurs(langue: str) -> tuple[str, str, int]:
    with translation.override(langue):
        return (
            get_format("DECIMAL_SEPARATOR", use_l10n=True),
            get_format("THOUSAND_SEPARATOR", use_l10n=True),
            int(get_format("NUMBER_GROUPING", use_l10n=True) or 0),
        )


def pour_cent_entier(part) -> int:
    """Une part (0 à 100) en pour cent entier, la règle d'arrondi de la complétude écrite une
    fois : au dixième d'abord, comme les parts de la vue d'ensemble et de son CSV
    (`rapports.lectures.parts_renseignees`), puis à l'unité, demi vers le haut (12,5 → 13 comme
    37,5 → 38; le `round` de Python arrondit au pair et écrivait 12). La page de complétude et
    la carte de chaleur de la vue d'ensemble (`rapports.graphiques.carte_completude`) écrivent
    ainsi la même part de la même façon."""
    au_dixieme = Decimal(str(part)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return int(au_dixieme.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def pour_cent(part, insecable: bool = True) -> str:
    """Une part déjà écrite (« 13 », ou « %{z:.0f} » de plotly.js) suivie du signe pour cent, au
    format de la langue active : « 13 % » en français, « 13% » en anglais. L'espace de la
    traduction devient insécable (`insecable`) : le signe ne passe jamais seul à la ligne d'un
    graphique; une cellule de tableau qui ne se replie pas (`insecable` en CSS) garde l'espace
    ordinaire."""
    texte = pgettext("pour cent", "%(n)s %%") % {"n": part}
    return texte.replace(" ", "\u00a0") if insecable else texte
