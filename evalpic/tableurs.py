"""Ce qu'on écrit pour un tableur : neutraliser les textes qu'il prendrait pour des formules.

Une case qui commence par « = », « + », « - », « @ », une tabulation ou un retour chariot est
une formule pour Excel, LibreOffice ou Google Sheets (« =HYPERLINK(…) », « @SUM(…)|cmd »);
un texte saisi par quelqu'un (apprentissage, commentaire, valeur texte) ne doit jamais
s'exécuter à l'ouverture d'un export. On le préfixe d'une apostrophe, comme le recommande
l'OWASP (« CSV Injection ») : le tableur affiche alors le texte tel quel. Une seule règle pour
tous les CSV de la plateforme (bilans, export des valeurs, `?format=csv` de l'API)."""

from __future__ import annotations

import re

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")

# Un nombre décimal écrit simplement (« -3.5 », « +2 ») : un tableur le lit comme un nombre, rien
# ne s'exécute; le préfixer changerait la donnée.
NOMBRE_SIMPLE = r"^[+-]?[0-9]+(\.[0-9]+)?$"  # aussi lu par PostgreSQL (export des valeurs)
_NOMBRE = re.compile(NOMBRE_SIMPLE, re.ASCII)


def neutraliser_formule(texte: str) -> str:
    """`texte`, préfixé d'une apostrophe s'il commence comme une formule de tableur; un nombre
    décimal simple (« -3.5 ») reste intact."""
    if texte.startswith(DEBUTS_DE_FORMULE) and not _NOMBRE.fullmatch(texte):
        return f"'{texte}"
    return texte
