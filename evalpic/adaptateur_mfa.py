"""Les secrets de la double authentification chiffrés en base (`MFA_ADAPTER`).

allauth garde en base la clé TOTP de chaque personne et la graine de ses codes de récupération;
par défaut, en clair : qui lit la base (une sauvegarde, un accès en lecture, l'admin de Django
d'avant) peut produire ses codes. allauth passe chacun par `encrypt()` avant de l'écrire et par
`decrypt()` avant de s'en servir : ici, Fernet (AES-128-CBC et HMAC-SHA256, de `cryptography`,
que `fido2` fait installer avec allauth[mfa]).

La clé vient de `EVALPIC_MFA_CLE`, ou à défaut de `SECRET_KEY`, dérivée par HKDF-SHA256 (une
clé propre à cet usage, jamais la même que celle des sessions). Le déchiffrement essaie aussi
`SECRET_KEY` et `SECRET_KEY_FALLBACKS` : changer de clé sans garder l'ancienne parmi celles-ci
rendrait illisibles les secrets déjà écrits (chaque personne devrait réactiver sa MFA).

Un secret écrit avant le chiffrement (sans le préfixe) est lu tel quel; la migration
quartiers 0006 chiffre ceux qui existaient.
"""

from __future__ import annotations

import base64

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: Marque un secret chiffré; un secret TOTP (base32) ou une graine (hexadécimal) n'en contient
#: jamais le deux-points.
PREFIXE = "fernet:"


def _cle_fernet(secret: str) -> Fernet:
    derivee = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"evalpic.mfa.secrets"
    ).derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derivee))


def _cles() -> MultiFernet:
    """Chiffre avec la première; déchiffre avec n'importe laquelle."""
    candidates = [
        getattr(settings, "EVALPIC_MFA_CLE", ""),
        settings.SECRET_KEY,
        *getattr(settings, "SECRET_KEY_FALLBACKS", []),
    ]
    uniques = list(dict.fromkeys(cle for cle in candidates if cle))
    return MultiFernet([_cle_fernet(cle) for cle in uniques])


def chiffrer(texte: str) -> str:
    if texte.startswith(PREFIXE):  # déjà chiffré : jamais deux fois
        return texte
    return PREFIXE + _cles().encrypt(texte.encode("utf-8")).decode("ascii")


def dechiffrer(texte: str) -> str:
    if not texte.startswith(PREFIXE):
        return texte  # écrit avant le chiffrement
    try:
        return _cles().decrypt(texte[len(PREFIXE) :].encode("ascii")).decode("utf-8")
    except InvalidToken as erreur:
        raise ImproperlyConfigured(
            "Secret de double authentification illisible : EVALPIC_MFA_CLE ou SECRET_KEY a "
            "changé sans que l'ancienne clé reste dans SECRET_KEY_FALLBACKS."
        ) from erreur


class AdaptateurMfa(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return chiffrer(text)

    def decrypt(self, encrypted_text: str) -> str:
        return dechiffrer(encrypted_text)
