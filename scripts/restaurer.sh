#!/usr/bin/env bash
# Restaure une sauvegarde faite par scripts/sauvegarder.sh dans la base et le dossier de
# fichiers de l'application (DATABASE_URL, MEDIA_ROOT, .env) :
#   1. vérifie le manifeste (SHA-256 et taille de chaque archive);
#   2. refuse une base qui contient déjà des tables, ou un dossier de fichiers non vide, sauf
#      avec --force;
#   3. pg_restore --no-owner --clean --if-exists, en une seule transaction (tout ou rien);
#   4. extrait les fichiers;
#   5. manage.py migrate --check, puis manage.py verifier_integrite.
# La base doit exister (createdb); l'utilisateur de DATABASE_URL en devient le propriétaire.
#   scripts/restaurer.sh sauvegardes/evalpic-20261127T020000Z
#   scripts/restaurer.sh --force sauvegardes/evalpic-20261127T020000Z
set -euo pipefail
source "$(dirname "$0")/_commun.sh"
source "$(dirname "$0")/_sauvegarde.sh"

force=""
dossier=""
for argument in "$@"; do
  case "$argument" in
    --force) force=1 ;;
    -*) erreur "option inconnue : $argument (usage : scripts/restaurer.sh [--force] <dossier>)" ;;
    *) dossier="$argument" ;;
  esac
done
[ -n "$dossier" ] || erreur "usage : scripts/restaurer.sh [--force] <dossier>"
dossier="$(cd "$dossier" 2>/dev/null && pwd)" || erreur "dossier introuvable : $dossier"
cd "$RACINE"

echo "→ vérification du manifeste"
"$PY" - "$dossier" <<'PY' || erreur "la sauvegarde est incomplète ou altérée : rien n'a été restauré."
import hashlib, json, sys
from pathlib import Path

dossier = Path(sys.argv[1])
try:
    manifeste = json.loads((dossier / "manifeste.json").read_text(encoding="utf-8"))
except (OSError, ValueError) as probleme:
    sys.exit(f"manifeste.json illisible : {probleme}")
fautes = []
for nom in ("base.dump", "media.tar.gz"):
    attendu = manifeste.get("fichiers", {}).get(nom)
    chemin = dossier / nom
    if attendu is None or not chemin.is_file():
        fautes.append(f"{nom} : absent")
        continue
    with open(chemin, "rb") as archive:
        trouve = hashlib.file_digest(archive, "sha256").hexdigest()
    if trouve != attendu["sha256"] or chemin.stat().st_size != attendu["taille"]:
        fautes.append(f"{nom} : SHA-256 {trouve}, attendu {attendu['sha256']}")
for faute in fautes:
    print(faute, file=sys.stderr)
if fautes:
    sys.exit(1)
versions = manifeste.get("versions", {})
print(f"  sauvegarde du {manifeste.get('date')} (base {manifeste.get('base')}, "
      f"ÉvalPIC {versions.get('evalpic')}, commit {versions.get('commit')})")
PY

lire_reglages
tables="$(psql -X -tAc "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")" \
  || erreur "base $PGDATABASE injoignable (créez-la d'abord : createdb)."
if [ "$tables" != "0" ] && [ -z "$force" ]; then
  erreur "la base $PGDATABASE n'est pas vide ($tables tables) : rien n'a été restauré (--force pour l'écraser)."
fi
if [ -d "$MEDIA" ] && [ -n "$(ls -A "$MEDIA")" ] && [ -z "$force" ]; then
  erreur "le dossier des fichiers $MEDIA n'est pas vide : rien n'a été restauré (--force pour écrire par-dessus)."
fi

echo "→ base $PGDATABASE (pg_restore)"
pg_restore --no-owner --no-privileges --clean --if-exists --exit-on-error --single-transaction \
  --dbname="$PGDATABASE" "$dossier/base.dump"

echo "→ fichiers dans $MEDIA"
mkdir -p "$MEDIA"
tar -C "$MEDIA" --no-same-owner -xzf "$dossier/media.tar.gz"

echo "→ migrations"
if ! "$PY" manage.py migrate --check --no-input >/dev/null; then
  echo "La base restaurée a des migrations en retard sur le code : lancez" >&2
  echo "  $PY manage.py migrate && $PY manage.py verifier_integrite" >&2
  exit 1
fi

echo "→ intégrité"
if ! "$PY" manage.py verifier_integrite; then
  echo "Restauration faite, mais la vérification d'intégrité signale les problèmes ci-dessus." >&2
  exit 1
fi
echo "Restauration terminée."
