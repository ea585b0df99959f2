#!/usr/bin/env bash
# Démarre ÉvalPIC avec les données de référence, les données de démonstration et un compte
# par rôle. Sans DATABASE_URL : SQLite et tâches dans le processus. Avec DATABASE_URL et
# CELERY_BROKER_URL : PostgreSQL, Redis, un worker et beat en arrière-plan.
set -euo pipefail
source "$(dirname "$0")/_commun.sh"
cd "$RACINE"

installer_paquets_debian gettext chromium fonts-dejavu-core
installer_python ""

export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
# ADRESSE=127.0.0.1:8113 scripts/demarrer.sh : un autre port, et les liens des courriels
# (SITE_URL, s'il n'est pas posé) visent ce serveur.
preparer_adresse

"$PY" manage.py compilemessages --ignore=.venv -v 0
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py charger_demo

if [ -n "${CELERY_BROKER_URL:-}" ]; then
  echo "→ worker et beat Celery ($CELERY_BROKER_URL), journaux dans /tmp/evalpic-*.log"
  "$VENV/bin/celery" -A evalpic worker -l info --concurrency 2 >/tmp/evalpic-worker.log 2>&1 &
  "$VENV/bin/celery" -A evalpic beat -l info -s /tmp/evalpic-celerybeat >/tmp/evalpic-beat.log 2>&1 &
  trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
fi

echo
echo "ÉvalPIC : $(site_url_de_l_adresse "$ADRESSE")/  (base : ${DATABASE_URL:-SQLite db.sqlite3})"
echo "Liens des courriels : ${SITE_URL:-celle de SITE_URL dans .env}"
echo
"$PY" manage.py runserver "$ADRESSE"
