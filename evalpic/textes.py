"""Ce qu'une personne a écrit, sans ce qui ne se voit pas.

`str.strip()` retire les espaces, pas l'espace sans chasse (U+200B), les marques de direction
(U+202E), les caractères de contrôle ni un point de code non attribué : un motif de renvoi,
une raison « non disponible », un apprentissage, un nom de partenaire ou de jeton fait de ces
seuls caractères passait pour rempli, et s'affichait vide. `texte_saisi` les lit comme vides :
chaque règle « obligatoire » qui l'appelle refuse alors avec son message habituel."""

from __future__ import annotations

import unicodedata

# Contrôle, mise en forme (sans chasse, direction), non attribué, espaces et séparateurs.
_INVISIBLES = frozenset({"Cc", "Cf", "Cn", "Zs", "Zl", "Zp"})


def texte_saisi(texte: str | None) -> str:
    """`texte` sans les espaces qui l'entourent, ou "" s'il n'a rien de visible."""
    texte = (texte or "").strip()
    if all(unicodedata.category(caractere) in _INVISIBLES for caractere in texte):
        return ""
    return texte
