#!/usr/bin/env bash
# Le banc d'essai de l'export CSV (pas un test) : une base PostgreSQL dédiée, au moins un million
# de valeurs (64 quartiers × 200 indicateurs × 80 trimestres = 1 024 000 valeurs, ~3 min de
# génération), puis /export/valeurs.csv par gunicorn comparé à COPY de la même requête, et le
# pic de mémoire du worker. Appelé par scripts/banc.sh quand BANC_EXPORT=1.
#   scripts/banc_export.sh
#   EXPORT_QUARTIERS=16 EXPORT_INDICATEURS=50 EXPORT_TRIMESTRES=20 scripts/banc_export.sh
#   REGENERER=1 scripts/banc_export.sh                                # refaire les données
set -euo pipefail
source "$(dirname "$0")/_commun.sh"
cd "$RACINE"

installer_python "[dev]"
demarrer_postgresql
creer_role_postgresql
psql -q -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'evalpic_banc_export'" \
  | grep -q 1 || psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE evalpic_banc_export OWNER evalpic"

export DJANGO_DEBUG=true
export DJANGO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1"
export DATABASE_URL="postgres://evalpic:evalpic@127.0.0.1:5432/evalpic_banc_export"
unset CELERY_BROKER_URL

QUARTIERS="${EXPORT_QUARTIERS:-64}" INDICATEURS="${EXPORT_INDICATEURS:-200}" TRIMESTRES="${EXPORT_TRIMESTRES:-80}"
ATTENDU=$((QUARTIERS * INDICATEURS * TRIMESTRES))
"$PY" manage.py migrate --no-input -v 0
if [ -n "${REGENERER:-}" ] || ! "$PY" manage.py shell -c \
    "from indicateurs.models import Valeur; raise SystemExit(0 if Valeur.objects.count() == $ATTENDU else 1)"; then
  "$PY" manage.py generer_donnees_echelle --remplacer \
    --quartiers "$QUARTIERS" --indicateurs "$INDICATEURS" --trimestres "$TRIMESTRES"
fi
"$PY" -m benchmarks.export --repetitions "${REPETITIONS:-5}"
