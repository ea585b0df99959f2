"""Lire une page rendue dans les tests : ses balises ouvrantes, dans l'ordre."""

from __future__ import annotations

from html.parser import HTMLParser


class _Balises(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.balises: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.balises.append((tag, dict(attrs)))


def balises(contenu: str) -> list[tuple[str, dict[str, str | None]]]:
    """Chaque balise ouvrante de `contenu` : (nom, attributs), dans l'ordre."""
    lecteur = _Balises()
    lecteur.feed(contenu)
    return lecteur.balises
