"""Les fichiers d'un bilan prêt, tels que les téléchargent le site et l'API."""

from __future__ import annotations

from django.conf import settings
from django.core.files import File
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rapports.exports import nom_de_fichier
from rapports.models import Bilan, StatutBilan

TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def fichier_du_bilan(bilan: Bilan, format: str) -> tuple[File, str, str]:
    """Le fichier `format` de `bilan` (déjà lu par le sélecteur d'accès), ouvert en lecture, avec
    son nom de téléchargement et son type de contenu. 404 si le format est inconnu, si le bilan
    n'est pas prêt ou si le fichier manque au stockage."""
    if format not in TYPES:
        raise Http404(_("Format inconnu."))
    fichier = getattr(bilan, f"fichier_{format}")
    if bilan.statut != StatutBilan.PRET or not fichier:
        raise Http404(_("Ce bilan n'est pas prêt."))
    try:
        contenu = fichier.open("rb")
    except FileNotFoundError as absent:
        raise Http404(_("Fichier introuvable.")) from absent
    return contenu, nom_de_telechargement(bilan.instantane, format), TYPES[format]


def nom_de_telechargement(instantane: dict, format: str) -> str:
    """Le nom du fichier téléchargé : celui de `nom_de_fichier`, suivi de la langue du bilan
    quand ce n'est pas celle du site (« bilan-saint-michel-2026-T2-en.pdf » à côté de
    « bilan-saint-michel-2026-T2.pdf ») : les bilans français et anglais d'une même période ne
    s'écrasent plus l'un l'autre dans un dossier de téléchargements. Même règle pour les quatre
    formats, au site comme à l'API."""
    nom = nom_de_fichier(instantane, format)
    langue = instantane.get("langue") or settings.LANGUAGE_CODE
    if langue == settings.LANGUAGE_CODE:
        return nom
    base, extension = nom.rsplit(".", 1)
    return f"{base}-{slugify(langue)}.{extension}"


def reponse_du_fichier(bilan: Bilan, format: str) -> FileResponse:
    """La réponse qui sert le fichier : le HTML s'ouvre dans le navigateur, les autres formats
    se téléchargent sous leur nom."""
    contenu, nom, type_de_contenu = fichier_du_bilan(bilan, format)
    return FileResponse(
        contenu, as_attachment=format != "html", filename=nom, content_type=type_de_contenu
    )
