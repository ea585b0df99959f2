#!/usr/bin/env bash
# Sauvegarde ÉvalPIC dans un dossier daté : la base PostgreSQL (pg_dump, format personnalisé),
# les fichiers (MEDIA_ROOT : les bilans) en tar.gz, et un manifeste (date, versions, migrations,
# SHA-256 de chaque archive). La base et les fichiers sont ceux que l'application utilise
# (DATABASE_URL, MEDIA_ROOT, .env). Restaurer : scripts/restaurer.sh <dossier>.
#   scripts/sauvegarder.sh               # dans sauvegardes/ (ou $SAUVEGARDES)
#   scripts/sauvegarder.sh /mnt/archives # ailleurs
# La dernière ligne affichée est le chemin du dossier créé.
set -euo pipefail
source "$(dirname "$0")/_commun.sh"
source "$(dirname "$0")/_sauvegarde.sh"
cd "$RACINE"

lire_reglages
parent="${1:-${SAUVEGARDES:-$RACINE/sauvegardes}}"
dossier="$parent/evalpic-$(date -u +%Y%m%dT%H%M%SZ)"
travail="$dossier.en-cours"   # renommé à la fin : un dossier daté est toujours complet
mkdir -p "$parent"
[ ! -e "$dossier" ] || erreur "$dossier existe déjà."
mkdir "$travail"
trap 'rm -rf "$travail"' EXIT

# La base d'abord, les fichiers ensuite : un fichier désigné par une ligne de la base est écrit
# avant que la ligne le désigne (rapports.services), il est donc déjà dans le dossier quand le
# tar le lit. Un fichier écrit entre les deux n'est désigné par rien : inoffensif.
echo "→ base $PGDATABASE (pg_dump)"
pg_dump --format=custom --file="$travail/base.dump"

echo "→ fichiers de $MEDIA"
if [ -d "$MEDIA" ]; then
  tar -C "$MEDIA" -czf "$travail/media.tar.gz" .
else
  tar -czf "$travail/media.tar.gz" -T /dev/null
fi

# Le manifeste : les valeurs passent par l'environnement, jamais dans le texte du programme.
SERVEUR="$(psql -X -tAc 'SHOW server_version')" \
MIGRATIONS="$(psql -X -tAc "SELECT app || ' ' || max(name) FROM django_migrations GROUP BY app ORDER BY app")" \
COMMIT="$(git -C "$RACINE" rev-parse HEAD 2>/dev/null || true)" \
PG_DUMP="$(pg_dump --version)" \
"$PY" - "$travail" <<'PY'
import datetime, hashlib, importlib.metadata, json, os, platform, sys
from pathlib import Path

import django

dossier = Path(sys.argv[1])


def empreinte(nom: str) -> dict:
    with open(dossier / nom, "rb") as archive:
        condense = hashlib.file_digest(archive, "sha256").hexdigest()
    return {"sha256": condense, "taille": (dossier / nom).stat().st_size}


manifeste = {
    "format": 1,
    "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    "base": os.environ["PGDATABASE"],
    "versions": {
        "evalpic": importlib.metadata.version("evalpic"),
        "commit": os.environ["COMMIT"] or None,
        "django": django.get_version(),
        "python": platform.python_version(),
        "postgresql": os.environ["SERVEUR"],
        "pg_dump": os.environ["PG_DUMP"],
    },
    "migrations": dict(l.split(" ", 1) for l in os.environ["MIGRATIONS"].splitlines() if l),
    "fichiers": {nom: empreinte(nom) for nom in ("base.dump", "media.tar.gz")},
}
texte = json.dumps(manifeste, ensure_ascii=False, indent=2) + "\n"
(dossier / "manifeste.json").write_text(texte, encoding="utf-8")
PY

mv "$travail" "$dossier"
trap - EXIT
echo "Sauvegarde terminée : base $(du -h "$dossier/base.dump" | cut -f1), fichiers $(du -h "$dossier/media.tar.gz" | cut -f1)."
echo "$dossier"
