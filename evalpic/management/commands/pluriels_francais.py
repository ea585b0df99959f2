"""`manage.py pluriels_francais` : régénère `locale/fr/LC_MESSAGES/django.po`, le catalogue des
seuls textes au pluriel (`ngettext`, `{% plural %}`), chacun traduit par lui-même.

Les textes sont écrits en français dans le code. Sans catalogue français, gettext choisit entre
singulier et pluriel par la règle de l'anglais (n = 1 au singulier) : « 0 partenaires ». Ce
catalogue porte la règle du français (`plural=(n > 1)` : 0 et 1 au singulier). À relancer après
`makemessages -l en` quand un texte au pluriel a changé (un test vérifie que les deux catalogues
ont les mêmes pluriels). Demande les outils gettext (`msgen`, `msgattrib`).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
ENTETE = """\
# Catalogue français d'ÉvalPIC : les seuls textes au pluriel, chacun traduit par lui-même, pour
# la règle du pluriel français (0 et 1 au singulier). Généré par `manage.py pluriels_francais`,
# jamais à la main.
msgid ""
msgstr ""
"Project-Id-Version: ÉvalPIC\\n"
"PO-Revision-Date: 2026-11-27 00:00+0000\\n"
"Last-Translator: ÉvalPIC\\n"
"Language-Team: French\\n"
"Language: fr\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"""


def entrees_au_pluriel(texte: str) -> list[str]:
    """Les entrées d'un catalogue qui ont un `msgid_plural` (les entrées sont séparées par une
    ligne vide), sans les obsolètes."""
    return [
        bloc.strip("\n")
        for bloc in texte.split("\n\n")
        if "\nmsgid_plural " in f"\n{bloc}" and not bloc.lstrip().startswith("#~")
    ]


class Command(BaseCommand):
    help = (
        "Régénère locale/fr/LC_MESSAGES/django.po : les textes au pluriel, traduits par "
        "eux-mêmes, pour la règle du pluriel français (0 et 1 au singulier)."
    )

    def handle(self, *args, **options) -> None:
        with tempfile.TemporaryDirectory() as dossier:
            brut = Path(dossier) / "django.po"
            # makemessages écrit dans locale/fr : on part d'un catalogue vide, puis on le remplace.
            CATALOGUE.unlink(missing_ok=True)
            call_command(
                "makemessages",
                locale=["fr"],
                ignore_patterns=[".venv", "tests"],
                no_obsolete=True,
                no_location=True,
                verbosity=0,
            )
            # L'en-tête neuf est « fuzzy » : sans lui, msgattrib et msgen gardent le jeu de
            # caractères; msgen copie chaque msgid (et msgid_plural) dans ses msgstr.
            texte = CATALOGUE.read_text(encoding="utf-8")
            brut.write_text(ENTETE + "\n" + texte[texte.index('msgid ""') :].split("\n\n", 1)[1])
            subprocess.run(["msgen", "--no-wrap", "-o", str(brut), str(brut)], check=True)
            pluriels = entrees_au_pluriel(brut.read_text(encoding="utf-8"))
        CATALOGUE.write_text(ENTETE + "\n" + "\n\n".join(pluriels) + "\n", encoding="utf-8")
        self.stdout.write(f"{CATALOGUE.relative_to(settings.BASE_DIR)} : {len(pluriels)} pluriels")
