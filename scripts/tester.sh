#!/usr/bin/env bash
# La commande de test d'ÉvalPIC : installe ce qu'il faut, démarre PostgreSQL et Redis s'ils ne
# tournent pas, puis lint (ruff), vérification des migrations et toute la suite sur PostgreSQL.
# Les arguments sont passés à pytest (ex. scripts/tester.sh -k acces).
set -euo pipefail
source "$(dirname "$0")/_commun.sh"
cd "$RACINE"

installer_paquets_debian gettext chromium fonts-dejavu-core
installer_python "[dev]"
demarrer_postgresql
creer_role_postgresql
demarrer_redis
# axe-core (accessibilité des parcours navigateur), épinglé par tests/parcours/package-lock.json;
# réinstallé seulement quand le verrou a changé depuis la dernière installation.
if [ ! -f tests/parcours/node_modules/axe-core/axe.min.js ] \
  || [ tests/parcours/package-lock.json -nt tests/parcours/node_modules/.package-lock.json ]; then
  echo "→ npm ci (tests/parcours)"
  npm ci --prefix tests/parcours --no-audit --no-fund --loglevel=error >/dev/null
fi

export DJANGO_DEBUG=true
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://evalpic:evalpic@127.0.0.1:5432/evalpic}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
unset CELERY_BROKER_URL

echo "→ ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "→ traductions"
"$PY" manage.py compilemessages --ignore=.venv -v 0
echo "→ migrations manquantes ?"
"$PY" manage.py makemigrations --check --dry-run
echo "→ pytest (PostgreSQL)"
"$VENV/bin/pytest" "$@"
