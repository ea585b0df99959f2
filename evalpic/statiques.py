"""plotly.js servi depuis nos fichiers statiques (jamais un CDN) sans le copier dans le dépôt :
ce chercheur expose le `plotly.min.js` du paquet Python plotly sous `js/plotly.min.js`, pour
runserver comme pour collectstatic."""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

CHEMIN = "js/plotly.min.js"
_DOSSIER = Path(plotly.__file__).parent / "package_data"


class _Stockage(FileSystemStorage):
    def path(self, name: str) -> str:
        return str(_DOSSIER / "plotly.min.js")


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stockage = _Stockage(location=str(_DOSSIER))

    def check(self, **kwargs) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path != CHEMIN:
            return []  # comme les chercheurs de Django : une liste vide, jamais None
        fichier = str(_DOSSIER / "plotly.min.js")
        return [fichier] if find_all else fichier

    def list(self, ignore_patterns):
        yield CHEMIN, self.stockage
