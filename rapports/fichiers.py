"""Les fichiers d'un bilan prêt, tels que les téléchargent le site et l'API."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re

from django.conf import settings
from django.core.files import File
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rapports.exports import nom_de_fichier
from rapports.models import Bilan, StatutBilan

journal = logging.getLogger(__name__)

TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def fichier_du_bilan(bilan: Bilan, format: str) -> tuple[File, str, str]:
    """Le fichier `format` de `bilan` (déjà lu par le sélecteur d'accès), ouvert en lecture, avec
    son nom de téléchargement et son type de contenu. 404 si le format est inconnu, si le bilan
    n'est pas prêt ou si le fichier manque au stockage; ce dernier cas est écrit au journal
    (ERROR : un bilan prêt a ses quatre fichiers, et `verifier_integrite` le dira aussi)."""
    if format not in TYPES:
        raise Http404(_("Format inconnu."))
    fichier = getattr(bilan, f"fichier_{format}")
    if bilan.statut != StatutBilan.PRET or not fichier:
        raise Http404(_("Ce bilan n'est pas prêt."))
    try:
        contenu = fichier.open("rb")
    except FileNotFoundError as absent:
        journal.error(
            "Bilan %s prêt, fichier %s absent du stockage : %s",
            bilan.pk,
            format,
            absent.filename or fichier.name,
        )
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
    """La réponse qui sert le fichier : le HTML s'ouvre dans le navigateur, avec la politique
    de sécurité de ses scripts (`politique_du_document`); les autres formats se téléchargent
    sous leur nom."""
    contenu, nom, type_de_contenu = fichier_du_bilan(bilan, format)
    if format != "html":
        return FileResponse(contenu, as_attachment=True, filename=nom, content_type=type_de_contenu)
    with contenu:
        html = contenu.read()
    reponse = FileResponse(io.BytesIO(html), filename=nom, content_type=type_de_contenu)
    reponse.csp_ajouts = politique_du_document(html)
    return reponse


# Une balise <script> et son texte. S'exécute si elle n'a ni `src` ni `type="application/json"`
# (les figures, qui ne sont que des données).
_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def politique_du_document(html: bytes) -> dict[str, list[str]]:
    """Ce que le fichier HTML autonome d'un bilan ajoute à la politique du site
    (`evalpic.securite`) quand le site le sert : l'empreinte SHA-256 de chacun de ses scripts
    écrits dans la page, seuls permis (`script-src 'self'` refuse les scripts en ligne), et
    `sandbox allow-scripts allow-downloads` : le document s'ouvre dans une origine à part,
    sans accès à la session ni aux autres pages du site. Rien pour un document sans script en
    ligne (un bilan fabriqué avant d'être autonome charge ses scripts de /static/)."""
    empreintes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(texte).digest()).decode("ascii") + "'"
        for attributs, texte in _SCRIPT.findall(html)
        if b"src=" not in attributs and b"application/json" not in attributs
    ]
    if not empreintes:
        return {}
    return {
        "script-src": list(dict.fromkeys(empreintes)),
        "sandbox": ["allow-scripts", "allow-downloads"],
    }
