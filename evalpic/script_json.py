"""Des données JSON dans la page, comme `django.utils.html.json_script`, sérialisées par orjson.

Un tableau de quartier embarque 125 figures Plotly (~2 Ko chacune) : `json_script` (le module
`json` de Python, puis un échappement caractère par caractère) y coûtait une dizaine de
millisecondes par page, orjson moins d'une. Le JSON est le même une fois lu (`JSON.parse`);
seuls les octets changent : pas d'espace après `,` et `:`, et les caractères non ASCII
écrits tels quels (la page est en UTF-8). Les mêmes échappements que Django protègent la
balise : `<`, `>` et `&` deviennent `\\u003C`, `\\u003E` et `\\u0026`.
"""

from __future__ import annotations

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import escape
from django.utils.safestring import SafeString

_ECHAPPEMENTS = ((b"<", b"\\u003C"), (b">", b"\\u003E"), (b"&", b"\\u0026"))
# Ce qu'orjson ne sait pas écrire (Decimal, textes traduits paresseux…) : comme Django.
_AUTRES_TYPES = DjangoJSONEncoder().default


def script_json(valeur: object, ident: str) -> SafeString:
    """`<script id="…" type="application/json">…</script>` avec `valeur` en JSON."""
    octets = orjson.dumps(valeur, default=_AUTRES_TYPES)
    # Trois remplacements d'octets : `str.translate` parcourt le texte caractère par caractère
    # (~0,2 ms par figure de 2 Ko dès qu'un accent s'y trouve, soit ~25 ms pour les 125 figures
    # d'un tableau de quartier); un octet de l'UTF-8 hors ASCII n'est jamais « < », « > » ou « & ».
    for caractere, echappement in _ECHAPPEMENTS:
        octets = octets.replace(caractere, echappement)
    texte = octets.decode()
    return SafeString(f'<script id="{escape(ident)}" type="application/json">{texte}</script>')
