"""Vérifications de déploiement (`manage.py check --deploy`) : en production (DEBUG faux), des
réglages restés à leur valeur de développement font partir des courriels inutiles (liens vers
127.0.0.1, expéditeur d'exemple) ou n'en font partir aucun (console). Des avertissements, pas
des erreurs : le démarrage reste possible (démonstration locale avec docker compose)."""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

# Hôtes qui désignent la machine elle-même : un lien vers eux ne mène personne au site.
HOTES_LOCAUX = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}
# Domaines réservés à l'exemple et à la documentation (RFC 2606, RFC 6761).
DOMAINES_D_EXEMPLE = {"example.org", "example.com", "example.net"}
SUFFIXES_D_EXEMPLE = (".invalid", ".example", ".test", ".localhost")
# Moteurs de courriel qui n'envoient rien à personne.
MOTEURS_SANS_ENVOI = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


def _conseil(variable: str, exemple: str) -> str:
    return _("Posez la variable d'environnement %(variable)s, par exemple %(exemple)s.") % {
        "variable": variable,
        "exemple": exemple,
    }


@checks.register("evalpic", deploy=True)
def verifier_site_url(app_configs=None, **kwargs) -> list[checks.Warning]:
    """SITE_URL, base des liens des courriels : en https, et pas la machine locale."""
    if settings.DEBUG:
        return []
    adresse = settings.SITE_URL
    conseil = _conseil("SITE_URL", "SITE_URL=https://evalpic.votre-domaine.org")
    avertissements = []
    if urlsplit(adresse).scheme != "https":
        avertissements.append(
            checks.Warning(
                _(
                    "SITE_URL (%(adresse)s) n'est pas en https : les liens des courriels "
                    "(rappels, bilans prêts) mèneraient au site sans chiffrement."
                )
                % {"adresse": adresse},
                hint=conseil,
                id="evalpic.W001",
            )
        )
    hote = (urlsplit(adresse).hostname or "").lower()
    if not hote or hote in HOTES_LOCAUX or hote.endswith(".localhost"):
        avertissements.append(
            checks.Warning(
                _(
                    "SITE_URL (%(adresse)s) désigne la machine locale : les liens des courriels "
                    "(rappels, bilans prêts) ne mèneraient personne au site."
                )
                % {"adresse": adresse},
                hint=conseil,
                id="evalpic.W002",
            )
        )
    return avertissements


def _est_un_domaine_d_exemple(domaine: str) -> bool:
    domaine = domaine.lower().rstrip(".")
    return (
        not domaine
        or domaine == "localhost"
        or domaine.endswith(SUFFIXES_D_EXEMPLE)
        or any(domaine == d or domaine.endswith("." + d) for d in DOMAINES_D_EXEMPLE)
    )


@checks.register("evalpic", deploy=True)
def verifier_expediteur(app_configs=None, **kwargs) -> list[checks.Warning]:
    """DEFAULT_FROM_EMAIL : une adresse d'un vrai domaine, pas celle de l'exemple."""
    if settings.DEBUG:
        return []
    expediteur = settings.DEFAULT_FROM_EMAIL
    adresse = parseaddr(expediteur)[1]
    # Sans « @ », pas même une adresse : aussi inutilisable qu'un domaine d'exemple.
    domaine = adresse.rpartition("@")[2] if "@" in adresse else ""
    if not _est_un_domaine_d_exemple(domaine):
        return []
    return [
        checks.Warning(
            _(
                "DEFAULT_FROM_EMAIL (%(expediteur)s) est une adresse d'exemple : les courriels "
                "seraient refusés ou classés comme indésirables."
            )
            % {"expediteur": expediteur},
            hint=_conseil(
                "DEFAULT_FROM_EMAIL", "DEFAULT_FROM_EMAIL=ÉvalPIC <evalpic@votre-domaine.org>"
            ),
            id="evalpic.W003",
        )
    ]


@checks.register("evalpic", deploy=True)
def verifier_moteur_de_courriel(app_configs=None, **kwargs) -> list[checks.Warning]:
    """Un moteur qui envoie vraiment (SMTP, EMAIL_URL), pas la console."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in MOTEURS_SANS_ENVOI:
        return []
    return [
        checks.Warning(
            _(
                "EMAIL_BACKEND (%(moteur)s) n'envoie aucun courriel : rappels de saisie, avis "
                "de bilan et réinitialisations du mot de passe n'arriveraient à personne."
            )
            % {"moteur": settings.EMAIL_BACKEND},
            hint=_conseil(
                "EMAIL_URL",
                "EMAIL_URL=smtp+tls://utilisateur:motdepasse@smtp.votre-domaine.org:587",
            ),
            id="evalpic.W004",
        )
    ]


@checks.register("evalpic", deploy=True)
def verifier_cle_mfa(app_configs=None, **kwargs) -> list[checks.Warning]:
    """Une clé propre aux secrets de double authentification (EVALPIC_MFA_CLE) : sans elle, ils
    sont chiffrés par une clé tirée de SECRET_KEY, et une rotation de SECRET_KEY qui n'en garde
    pas l'ancienne dans SECRET_KEY_FALLBACKS les rend illisibles (evalpic.adaptateur_mfa)."""
    if settings.DEBUG or settings.EVALPIC_MFA_CLE:
        return []
    return [
        checks.Warning(
            _(
                "EVALPIC_MFA_CLE est vide : les secrets de double authentification sont chiffrés "
                "par une clé tirée de SECRET_KEY, et changer SECRET_KEY sans garder l'ancienne "
                "dans SECRET_KEY_FALLBACKS empêcherait toute connexion par code."
            ),
            hint=_conseil("EVALPIC_MFA_CLE", "EVALPIC_MFA_CLE=$(openssl rand -base64 48)"),
            id="evalpic.W005",
        )
    ]
