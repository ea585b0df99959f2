"""Pièces communes de l'API : lecture du JSON, pagination, rendu CSV, erreurs, accès."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal

from django.core.exceptions import PermissionDenied as PermissionDjango
from django.core.exceptions import ValidationError as ValidationDjango
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from rest_framework import exceptions, pagination, parsers, renderers
from rest_framework.utils import encoders
from rest_framework.views import exception_handler

from evalpic.api.negociation import NegociationVerifiee  # noqa: F401 (nommée ici par les tests)
from evalpic.api.parametres import valeur_unique
from evalpic.tableurs import neutraliser_formule


class AnalyseurJSON(parsers.JSONParser):
    """Le JSON des requêtes, refusé par un 400 clair au lieu d'une erreur serveur quand il est
    imbriqué trop profondément (« [[[[…]]]] » : le module json s'arrête sur RecursionError) ou
    qu'une chaîne porte un substitut UTF-16 isolé (« \\ud800 » : du JSON valide, mais aucun
    caractère, que ni la base ni la réponse ne sauraient écrire en UTF-8)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            donnees = super().parse(stream, media_type, parser_context)
        except RecursionError as erreur:
            raise exceptions.ParseError(IMBRICATION_TROP_PROFONDE) from erreur
        except exceptions.ParseError as erreur:
            raise exceptions.ParseError(_json_illisible(erreur.__context__)) from erreur
        if _porte_un_substitut(donnees):
            raise exceptions.ParseError(SUBSTITUT_ISOLE)
        return donnees


def _json_illisible(cause: BaseException | None) -> str:
    """Pourquoi le corps n'est pas du JSON, dans la langue de la réponse : DRF y mettait le texte
    anglais du décodeur de Python (« 'utf-8' codec can't decode byte 0xe9… »)."""
    if isinstance(cause, UnicodeDecodeError):
        return gettext("JSON illisible : le corps n'est pas encodé en UTF-8.")
    if isinstance(cause, json.JSONDecodeError) and cause.msg.startswith("Unexpected UTF-8 BOM"):
        return gettext(
            "JSON illisible : le corps commence par une marque d'ordre d'octets (BOM), à retirer."
        )
    if isinstance(cause, json.JSONDecodeError):
        return gettext("JSON illisible à la ligne %(ligne)s, colonne %(colonne)s.") % {
            "ligne": cause.lineno,
            "colonne": cause.colno,
        }
    # DRF lit le JSON strict : NaN, Infinity et -Infinity y sont refusés (`strict_constant`).
    return gettext("JSON illisible : NaN et Infinity ne sont pas des nombres JSON.")


IMBRICATION_TROP_PROFONDE = gettext_lazy("JSON illisible : imbrication trop profonde.")
SUBSTITUT_ISOLE = gettext_lazy(
    "JSON illisible : un caractère est invalide (substitut UTF-16 isolé)."
)
_SUBSTITUT = re.compile("[\ud800-\udfff]")


def _porte_un_substitut(donnees) -> bool:
    """Vrai si une chaîne (valeur ou clé) des données lues contient un substitut isolé; les
    paires (« \\ud83c\\udf89 ») sont déjà devenues un caractère. Parcours sans récursion."""
    a_voir = [donnees]
    while a_voir:
        element = a_voir.pop()
        if isinstance(element, str):
            if _SUBSTITUT.search(element):
                return True
        elif isinstance(element, dict):
            a_voir.extend(element.keys())
            a_voir.extend(element.values())
        elif isinstance(element, list):
            a_voir.extend(element)
    return False


class LiensDePagination:
    """Les adresses des pages suivante et précédente aussi dans l'en-tête `Link` (RFC 8288,
    `rel="next"`, `rel="prev"`), pour tous les formats : le CSV n'a pas d'autre moyen de dire
    qu'il y a une suite; l'adresse garde les paramètres de la requête, dont `format=csv`."""

    def get_paginated_response(self, data):
        reponse = super().get_paginated_response(data)
        liens = [
            f'<{adresse}>; rel="{rel}"'
            for rel, adresse in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if adresse
        ]
        if liens:
            reponse["Link"] = ", ".join(liens)
        return reponse


# --- Paramètres de requête vérifiés (`evalpic.api.parametres`) -------------------------------
#
# Mal donnés (« taille=-5 », « ordering=%00 », « format= », « cursor=%00 », ou deux fois) :
# `taille` et `ordering`, propres aux listes, répondent 400 comme un filtre invalide
# (`{"taille": ["…"]}`); `format` et `cursor` répondent 404 comme un format inconnu ou une page
# inexistante (le schéma les documente ainsi, détail compris).

TAILLE_INVALIDE = gettext_lazy("Taille de page invalide : un nombre entier de 1 à %(max)s.")


class TailleVerifiee:
    """`?taille=` : un entier de 1 à `max_page_size`, sinon 400 (DRF prenait la taille par
    défaut pour « -5 » ou « null » et coupait au maximum sans le dire). Le schéma en donne les
    bornes."""

    page_size_query_param = "taille"

    def get_page_size(self, request):
        texte = valeur_unique(request, self.page_size_query_param)
        if texte is None:
            return self.page_size
        if not _ENTIER.match(texte) or not 1 <= int(texte) <= self.max_page_size:
            message = TAILLE_INVALIDE % {"max": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return int(texte)

    def get_schema_operation_parameters(self, view):
        parametres = super().get_schema_operation_parameters(view)
        for parametre in parametres:
            if parametre["name"] == self.page_size_query_param:
                parametre["schema"].update(minimum=1, maximum=self.max_page_size)
        return parametres


_ENTIER = re.compile(r"[0-9]{1,9}\Z")


class Pagination(TailleVerifiee, LiensDePagination, pagination.PageNumberPagination):
    page_size = 50
    max_page_size = 1000


class PaginationParCurseur(TailleVerifiee, LiensDePagination, pagination.CursorPagination):
    """Pour les valeurs : stable et rapide quel que soit le volume. La position lue dans le
    curseur est une clé entière (le tri est « pk ») : un curseur forgé (« p=abc ») répond le
    404 « curseur invalide » de DRF au lieu d'une erreur serveur dans le filtre. De même un
    curseur qui n'est pas du base64 (« cursor=%00 », dont DRF jetait les caractères pour lire
    la première page) ou donné deux fois."""

    page_size = 200
    max_page_size = 5000
    ordering = "pk"

    def decode_cursor(self, request):
        valeurs = request.query_params.getlist(self.cursor_query_param)
        if len(valeurs) > 1 or (valeurs and not _BASE64.match(valeurs[0])):
            raise exceptions.NotFound(self.invalid_cursor_message)
        curseur = super().decode_cursor(request)
        position = curseur.position if curseur is not None else None
        if position is not None and not _POSITION_ENTIERE.match(position):
            raise exceptions.NotFound(self.invalid_cursor_message)
        return curseur


_POSITION_ENTIERE = re.compile(r"-?[0-9]{1,20}\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")


class IntrouvableTraduit:
    """Pour chaque vue de l'API qui lit un objet (`get_object`) : un objet absent ou hors des
    quartiers visibles répond 404 avec `introuvable`, traduit et sans nom de classe, au lieu
    du « No Quartier matches the given query. » de Django (anglais, qui nomme le modèle).
    (Le `?format=` vérifié, `NegociationVerifiee`, vaut pour toute vue de l'API :
    DEFAULT_CONTENT_NEGOTIATION_CLASS.)"""

    introuvable = gettext_lazy("Ressource introuvable.")

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as absent:
            raise exceptions.NotFound(self.introuvable) from absent


def _case_csv(valeur) -> object:
    """Une case du CSV : vide pour None, les nombres tels quels, un booléen comme en JSON
    (« true », « false » : l'API écrit des codes, pas des libellés traduits — les statuts et les
    unités y sont aussi des codes), une liste ou un objet imbriqué en JSON; tout texte
    neutralisé (un texte saisi ne s'exécute pas comme une formule à l'ouverture)."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, int | float | Decimal):
        return valeur
    if isinstance(valeur, dict | list):
        valeur = json.dumps(valeur, ensure_ascii=False, cls=encoders.JSONEncoder)
    return neutraliser_formule(str(valeur))


class RenduCSV(renderers.BaseRenderer):
    """`?format=csv` sur les ressources tabulaires : une ligne par objet de la page, une colonne
    par champ du sérialiseur (l'en-tête est là même sans aucune ligne), les listes et objets
    imbriqués écrits en JSON. Un texte qui commence comme une formule de tableur est préfixé
    d'une apostrophe (`evalpic.tableurs`), comme dans les CSV des bilans."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        reponse = (renderer_context or {}).get("response")
        colonnes = None
        if reponse is not None and reponse.status_code >= 400:
            data = [{"champ": champ, "message": message} for champ, message in _erreurs(data)]
            colonnes = ["champ", "message"]
        lignes = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(lignes, dict):
            lignes = [lignes]
        lignes = lignes or []
        if colonnes is None:
            colonnes = list(lignes[0].keys()) if lignes else _champs_de_la_vue(renderer_context)
        tampon = io.StringIO()
        if colonnes:
            ecrivain = csv.DictWriter(tampon, fieldnames=colonnes, extrasaction="ignore")
            ecrivain.writeheader()
            for ligne in lignes:
                ecrivain.writerow({k: _case_csv(v) for k, v in ligne.items()})
        return ("\ufeff" + tampon.getvalue()).encode("utf-8")


def _champs_de_la_vue(renderer_context) -> list[str]:
    """Les colonnes d'une liste vide : les champs du sérialiseur de la vue, dans leur ordre
    (celui des lignes d'une liste qui en a)."""
    vue = (renderer_context or {}).get("view")
    if vue is None or getattr(vue, "serializer_class", None) is None:
        return []
    return list(vue.get_serializer().fields)


def _erreurs(detail, champ: str | None = None) -> Iterator[tuple[str, str]]:
    """Une erreur de l'API en lignes (champ, message) : `{"valeurs": [{}, {"valeur": ["…"]}]}`
    donne (« valeurs.1.valeur », « … »), un message sans champ (« detail »). Le CSV d'une
    réponse d'erreur se lit ainsi, au lieu de la représentation Python des listes d'erreurs."""
    if isinstance(detail, dict):
        for cle, sous_detail in detail.items():
            yield from _erreurs(sous_detail, f"{champ}.{cle}" if champ else str(cle))
    elif isinstance(detail, list):
        for rang, element in enumerate(detail):
            sous_champ = f"{champ}.{rang}" if champ else str(rang)
            yield from _erreurs(element, sous_champ if isinstance(element, dict) else champ)
    else:
        yield champ or "detail", str(detail)


def gestionnaire_d_erreurs(exc, context):
    """Les erreurs des services Django deviennent des réponses claires : ValidationError → 400
    (par champ), PermissionDenied → 403, Http404 → 404. Jamais de 500 pour une mauvaise saisie."""
    if isinstance(exc, ValidationDjango):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, PermissionDjango):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    return exception_handler(exc, context)
