"""Toutes les adresses du site, lues dans le résolveur d'URL de Django (applications, allauth,
routeur DRF de l'API, administration), pour que le test d'accès (`tests/test_acces_urls.py`)
n'en oublie aucune; la forme de ses règles et de quoi les vérifier, rôle par rôle."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

METHODES_QUI_ECRIVENT = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Adresse:
    """Un motif d'URL : sa route complète, son nom (avec l'espace de noms) et sa vue."""

    route: str
    nom: str | None
    vue: str
    parametres: tuple[str, ...]
    methodes_drf: frozenset[str] | None  # méthodes acceptées par une vue DRF; None sinon

    @property
    def cle(self) -> str:
        """Le nom de l'URL, ou sa route quand elle n'a pas de nom."""
        return self.nom or self.route

    @property
    def espace(self) -> str:
        return self.nom.split(":", 1)[0] if self.nom and ":" in self.nom else ""


def _parametres(motif) -> tuple[str, ...]:
    regex = getattr(motif, "regex", None)
    convertisseurs = getattr(motif, "converters", None)
    if convertisseurs:
        return tuple(convertisseurs)
    return tuple(regex.groupindex) if regex is not None else ()


def _methodes_drf(vue) -> frozenset[str] | None:
    """Les méthodes d'une vue DRF : celles de son routeur (ViewSet) ou de sa classe (APIView)."""
    actions = getattr(vue, "actions", None)
    if actions:
        return frozenset(m.upper() for m in actions)
    classe = getattr(vue, "cls", None)
    if classe is None or not hasattr(classe, "permission_classes"):
        return None
    return frozenset(
        m.upper() for m in classe.http_method_names if m != "options" and hasattr(classe, m)
    )


def _nom_de_vue(vue) -> str:
    classe = getattr(vue, "cls", None) or getattr(vue, "view_class", None)
    cible = classe or vue
    return f"{cible.__module__}.{cible.__qualname__}"


def _joindre(prefixe: str, route: str) -> str:
    """Comme `ResolverMatch.route` : le « ^ » d'une route imbriquée tombe."""
    return prefixe + route.removeprefix("^") if prefixe else route


def _parcourir(motifs, prefixe: str, espace: str, parametres: tuple[str, ...]):
    for motif in motifs:
        route = _joindre(prefixe, str(motif.pattern))
        sous_parametres = parametres + _parametres(motif.pattern)
        if isinstance(motif, URLResolver):
            sous_espace = ":".join(filter(None, [espace, motif.namespace or ""]))
            yield from _parcourir(motif.url_patterns, route, sous_espace, sous_parametres)
        elif isinstance(motif, URLPattern):
            nom = f"{espace}:{motif.name}" if espace and motif.name else motif.name
            yield Adresse(
                route=route,
                nom=nom,
                vue=_nom_de_vue(motif.callback),
                parametres=sous_parametres,
                methodes_drf=_methodes_drf(motif.callback),
            )


def toutes_les_adresses() -> list[Adresse]:
    """Chaque motif du résolveur racine, y compris ceux des résolveurs imbriqués."""
    return list(_parcourir(get_resolver().url_patterns, "", "", ()))


# --- Réponses attendues -------------------------------------------------------------------------

ROLES = ("anonyme", "alice", "bob", "charlie", "eve", "ada")
CONNEXION = "→ connexion"  # 302 vers la page de connexion du site
CONNEXION_ADMIN = "→ connexion admin"  # 302 vers la page de connexion de l'administration
REFUS = "refus"  # renvoi à une connexion, 401, 403, 404 ou 405 : rien n'est servi ni écrit
CODES_DE_REFUS = frozenset({401, 403, 404, 405})


def roles(anonyme, alice, bob, charlie, eve, ada) -> dict[str, object]:
    """La réponse attendue pour chaque rôle, dans l'ordre de `ROLES`."""
    return dict(zip(ROLES, (anonyme, alice, bob, charlie, eve, ada), strict=True))


def refuse_l_acces(attendu) -> bool:
    """Un refus d'accès (405 n'en est pas un : la méthode est seulement mauvaise)."""
    return attendu in (CONNEXION, CONNEXION_ADMIN, 401, 403, 404)


def conforme(reponse, attendu) -> bool:
    """La réponse correspond-elle à l'attendu (un code, ou un renvoi à une connexion)?"""
    if attendu == REFUS:
        return reponse.status_code in CODES_DE_REFUS or any(
            conforme(reponse, page) for page in (CONNEXION, CONNEXION_ADMIN)
        )
    if attendu in (CONNEXION, CONNEXION_ADMIN):
        page = reverse("account_login" if attendu == CONNEXION else "admin:login")
        return reponse.status_code == 302 and reponse["Location"].startswith(page)
    return reponse.status_code == attendu


def decrire(reponse) -> str:
    if reponse.status_code in (301, 302):
        return f"{reponse.status_code} → {reponse['Location']}"
    return str(reponse.status_code)


# --- La forme des règles du test d'accès -------------------------------------------------------


@dataclass(frozen=True)
class Ecriture:
    """Une requête qui écrit, et la réponse attendue des rôles qui n'ont pas le droit (les
    rôles autorisés n'y figurent que si l'écriture ne change rien)."""

    methode: str
    attendu: dict[str, object]
    donnees: Callable[[Any], dict] = lambda m: {}
    json: bool = False
    entetes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cas:
    """Des paramètres concrets pour l'adresse, et la réponse attendue de chaque rôle en GET."""

    kwargs: Callable[[Any], dict] = lambda m: {}
    get: dict[str, object] = field(default_factory=dict)
    ecritures: tuple[Ecriture, ...] = ()
    requete: Callable[[Any], dict] = lambda m: {}
    chemin: str | None = None  # pour une adresse sans nom
    liste: bool = False  # une liste ou un export : Charlie y reçoit 200, mais rien de A


# --- Vérifier une adresse ----------------------------------------------------------------------


def _attendus(adresse: Adresse, cas: Cas) -> tuple[dict[str, list], list[str]]:
    """Pour chaque rôle, les requêtes à faire : (méthode, écriture, réponse attendue); et les
    manques de la table (une écriture acceptée par une vue DRF sans règle)."""
    par_role = {role: [("GET", None, cas.get[role])] for role in ROLES}
    refuses = [role for role in ROLES if refuse_l_acces(cas.get[role])]
    manques = []
    for methode in METHODES_QUI_ECRIVENT:
        declarees = [e for e in cas.ecritures if e.methode == methode]
        if declarees:
            for ecriture in declarees:
                for role, attendu in ecriture.attendu.items():
                    par_role[role].append((methode, ecriture, attendu))
            nommes = {role for e in declarees for role in e.attendu}
            # Un rôle refusé en lecture l'est aussi en écriture, même s'il n'est pas nommé.
            for role in refuses:
                if role not in nommes:
                    par_role[role].append((methode, declarees[0], REFUS))
        elif adresse.methodes_drf is not None:
            if methode in adresse.methodes_drf:
                manques.append(f"{adresse.cle} : {methode} est accepté, sans règle d'écriture")
            for role in ROLES:
                par_role[role].append((methode, None, 401 if cas.get[role] == 401 else 405))
        else:
            for role in refuses:
                par_role[role].append((methode, None, REFUS))
    return par_role, manques


def _url(adresse: Adresse, cas: Cas, m) -> str:
    if cas.chemin:
        return cas.chemin
    kwargs = cas.kwargs(m)
    if "format" in adresse.parametres and "format" not in kwargs:
        kwargs["format"] = "json"  # la variante à suffixe du routeur DRF (« .json »)
    return reverse(adresse.nom, kwargs=kwargs)


def _envoyer(client, methode: str, url: str, requete: dict, ecriture: Ecriture | None, m):
    entetes = ecriture.entetes if ecriture else {}
    if methode == "GET":
        return client.get(url, requete, headers=entetes)
    if requete:
        url = f"{url}?{urlencode(requete)}"
    donnees = ecriture.donnees(m) if ecriture else {}
    if ecriture and ecriture.json:
        corps, type_ = json.dumps(donnees), "application/json"
    elif methode == "POST":
        return client.post(url, donnees, headers=entetes)
    else:
        corps, type_ = urlencode(donnees), "application/x-www-form-urlencoded"
    return client.generic(methode, url, corps, content_type=type_, headers=entetes)


def se_presenter(client, personas: dict, role: str) -> None:
    client.logout()
    if role != "anonyme":
        client.force_login(personas[role])


def verifier(client, personas: dict, adresse: Adresse, cas: Cas, m) -> list[str]:
    """Les écarts entre les réponses et la règle, un par ligne, nommant l'adresse et le rôle."""
    assert set(cas.get) == set(ROLES), f"{adresse.cle} : la règle doit nommer chaque rôle"
    url = _url(adresse, cas, m)
    route = resolve(urlsplit(url).path).route
    if route != adresse.route:
        return [f"{adresse.cle} : {url} mène à « {route} », pas à « {adresse.route} »"]
    par_role, echecs = _attendus(adresse, cas)
    requete = cas.requete(m)
    for role in ROLES:
        se_presenter(client, personas, role)
        for methode, ecriture, attendu in par_role[role]:
            reponse = _envoyer(client, methode, url, requete, ecriture, m)
            lieu = f"{adresse.cle} [{role}] {methode} {url}"
            lieu += f"?{urlencode(requete)}" if requete else ""
            if not conforme(reponse, attendu):
                echecs.append(f"{lieu} : attendu {attendu}, reçu {decrire(reponse)}")
            elif cas.liste and role == "charlie" and methode == "GET":
                corps = contenu(reponse)
                fuites = [secret for secret in m.secrets if secret in corps]
                if fuites:
                    echecs.append(f"{lieu} : la réponse montre {fuites} (quartier A)")
    return echecs


def contenu(reponse) -> str:
    """Le corps de la réponse, même en flux (exports, fichiers)."""
    if reponse.streaming:
        return b"".join(reponse.streaming_content).decode("utf-8", "replace")
    return reponse.content.decode("utf-8", "replace")
