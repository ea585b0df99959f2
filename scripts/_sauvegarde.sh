# Fonctions partagées par scripts/sauvegarder.sh et scripts/restaurer.sh (sourcé après
# _commun.sh, pas exécuté).

erreur() {
  echo "Erreur : $*" >&2
  exit 2
}

lire_reglages() {
  # La base et le dossier des fichiers tels que Django les voit (environnement, .env, valeurs
  # par défaut) : exporte PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE pour pg_dump,
  # pg_restore et psql, et définit MEDIA (le dossier du stockage des fichiers).
  local reglages
  reglages="$(cd "$RACINE" && "$PY" - <<'PY'
import os
import shlex
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalpic.settings")
from django.conf import settings

base = settings.DATABASES["default"]
if "postgresql" not in base["ENGINE"]:
    sys.exit(
        "La sauvegarde vise PostgreSQL (DATABASE_URL=postgres://…); avec SQLite, "
        "copiez simplement db.sqlite3 et le dossier des fichiers."
    )
stockage = settings.STORAGES["default"]
if stockage["BACKEND"] != "django.core.files.storage.FileSystemStorage":
    sys.exit(f"Stockage des fichiers non pris en charge : {stockage['BACKEND']}.")
media = stockage.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT
for nom, valeur in (
    ("PGHOST", base.get("HOST")),
    ("PGPORT", base.get("PORT")),
    ("PGUSER", base.get("USER")),
    ("PGPASSWORD", base.get("PASSWORD")),
    ("PGDATABASE", base.get("NAME")),
):
    print(f"export {nom}={shlex.quote(str(valeur or ''))}")
print(f"MEDIA={shlex.quote(str(media))}")
PY
)" || erreur "réglages illisibles (voir le message ci-dessus)."
  eval "$reglages"
  [ -n "$PGHOST" ] || unset PGHOST
  [ -n "$PGPORT" ] || unset PGPORT
  [ -n "$PGPASSWORD" ] || unset PGPASSWORD
}
