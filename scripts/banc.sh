#!/usr/bin/env bash
# Le banc d'essai (pas un test) : une base PostgreSQL dédiée, les données d'échelle
# (32 quartiers × 120 indicateurs × 40 trimestres par défaut), puis chaque mesure, rapportée en
# ratio à son plancher (la même question posée en une requête SQL écrite à la main).
#   scripts/banc.sh                     # tout
#   QUARTIERS=8 INDICATEURS=30 TRIMESTRES=12 scripts/banc.sh   # plus petit
#   REGENERER=1 scripts/banc.sh         # refaire les données d'échelle
#   BANC_EXPORT=1 scripts/banc.sh       # et l'export CSV d'un million de valeurs (banc_export.sh)
set -euo pipefail
source "$(dirname "$0")/_commun.sh"
cd "$RACINE"

installer_paquets_debian gettext chromium
installer_python "[dev]"
demarrer_postgresql
creer_role_postgresql
psql -q -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'evalpic_banc'" \
  | grep -q 1 || psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE evalpic_banc OWNER evalpic"

export DJANGO_DEBUG=true
export DJANGO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1"
export DATABASE_URL="postgres://evalpic:evalpic@127.0.0.1:5432/evalpic_banc"
unset CELERY_BROKER_URL

"$PY" manage.py compilemessages --ignore=.venv -v 0
"$PY" manage.py migrate --no-input -v 0
if [ -n "${REGENERER:-}" ] || ! "$PY" manage.py shell -c \
    "from rapports.echelle import donnees_echelle_presentes as p; raise SystemExit(0 if p() else 1)"; then
  "$PY" manage.py generer_donnees_echelle --remplacer \
    --quartiers "${QUARTIERS:-32}" --indicateurs "${INDICATEURS:-120}" --trimestres "${TRIMESTRES:-40}"
fi
"$PY" -m benchmarks.tableaux --repetitions "${REPETITIONS:-5}"
"$PY" -m benchmarks.api --repetitions "${REPETITIONS:-5}"
"$PY" -m benchmarks.navigateur --repetitions "${REPETITIONS:-5}"

# Les bilans : le PIC réel compte 17 quartiers; une base à part, de taille réaliste.
psql -q -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'evalpic_banc_bilans'" \
  | grep -q 1 || psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE evalpic_banc_bilans OWNER evalpic"
export DATABASE_URL="postgres://evalpic:evalpic@127.0.0.1:5432/evalpic_banc_bilans"
export MEDIA_ROOT="${MEDIA_ROOT:-$(mktemp -d)}"
export EVALPIC_BILANS_PAR_HEURE=0  # le banc demande plus de 10 bilans du PIC dans l'heure
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py generer_donnees_echelle --remplacer --quartiers 17 --indicateurs 12 --trimestres 12
"$PY" -m benchmarks.bilans --repetitions "${REPETITIONS:-3}"

# L'export CSV sur un million de valeurs (~3 min de génération la première fois) : sur demande.
if [ -n "${BANC_EXPORT:-}" ]; then "$RACINE/scripts/banc_export.sh"; fi
