"""Des traductions anglaises posées le temps d'un test (session 14, W6) : ce qui est vérifié est
le chemin (gettext, pgettext, ngettext dans la langue active), quel que soit l'état du catalogue
anglais, que l'équipe complète à part."""

from __future__ import annotations

import contextlib

from django.utils.translation import trans_real


@contextlib.contextmanager
def traductions_anglaises(traductions: dict):
    """`traductions` : {msgid: texte}, {(contexte, msgid): texte} ou {(msgid, rang): texte} pour
    un pluriel, comme les clés du catalogue de gettext."""
    catalogue = trans_real.translation("en")._catalog
    cles = {
        (f"{cle[0]}\x04{cle[1]}" if isinstance(cle, tuple) and isinstance(cle[1], str) else cle): t
        for cle, t in traductions.items()
    }
    avant = {cle: catalogue.get(cle) for cle in cles}
    for cle, texte in cles.items():
        catalogue[cle] = texte
    try:
        yield
    finally:
        for cle, ancien in avant.items():
            if ancien is None:
                catalogue._catalogs[0].pop(cle, None)
            else:
                catalogue[cle] = ancien
