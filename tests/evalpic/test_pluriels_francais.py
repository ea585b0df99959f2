"""Le catalogue français (`manage.py pluriels_francais`) : les textes au pluriel suivent la
règle du français, 0 et 1 au singulier, et il a les mêmes pluriels que le catalogue anglais."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

from evalpic.management.commands.pluriels_francais import entrees_au_pluriel

LOCALE = Path(settings.BASE_DIR) / "locale"
RETRAIT = (
    "%(nombre)d affectation retirée : l'accès cesse maintenant (fin : hier).",
    "%(nombre)d affectations retirées : l'accès cesse maintenant (fin : hier).",
)


def test_en_francais_zero_et_un_sont_au_singulier():
    with translation.override("fr"):
        assert [ngettext(*RETRAIT, n) for n in (0, 1, 2)] == [*RETRAIT[:1] * 2, RETRAIT[1]]
    with translation.override("en"):
        assert ngettext(*RETRAIT, 0) % {"nombre": 0} == (
            "0 assignments removed: access ends now (end: yesterday)."
        )


def _champs(bloc: str) -> dict[str, str]:
    """Les chaînes d'une entrée de catalogue (msgid, msgid_plural, msgstr[0]…), lignes réunies."""
    champs, courant = {}, None
    for ligne in bloc.splitlines():
        if ligne.startswith("#"):
            continue
        if match := re.match(r'^(msgid|msgid_plural|msgstr\[\d\]) "(.*)"$', ligne):
            courant = match.group(1)
            champs[courant] = match.group(2)
        elif ligne.startswith('"') and courant:
            champs[courant] += ligne[1:-1]
    return champs


def _pluriels(langue: str) -> list[dict[str, str]]:
    texte = (LOCALE / langue / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    return [_champs(bloc) for bloc in entrees_au_pluriel(texte)]


def test_le_catalogue_francais_a_les_pluriels_de_l_anglais_traduits_par_eux_memes():
    anglais = {(e["msgid"], e["msgid_plural"]) for e in _pluriels("en")}
    francais = _pluriels("fr")
    assert anglais and {(e["msgid"], e["msgid_plural"]) for e in francais} == anglais, (
        "relancer `manage.py pluriels_francais` après makemessages"
    )
    for entree in francais:
        assert (entree["msgstr[0]"], entree["msgstr[1]"]) == (
            entree["msgid"],
            entree["msgid_plural"],
        )
