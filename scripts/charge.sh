#!/usr/bin/env bash
# Le test de charge (pas un test de la suite) : gunicorn avec les réglages de production, sur
# 127.0.0.1, contre les données d'échelle (32 quartiers × 120 indicateurs × 40 trimestres), et
# locust sans interface, borné dans le temps : coordinations qui enregistrent leur formulaire,
# conseils qui lisent les tableaux de bord, outils qui appellent l'API avec un jeton. Imprime,
# par scénario et par requête : requêtes, débit, p50, p95, erreurs. Sort en erreur s'il y en a.
#   scripts/charge.sh                                  # 50 utilisateurs, 60 s, un port libre
#   UTILISATEURS=20 DUREE=30s scripts/charge.sh
#   WORKERS=3 THREADS=4 scripts/charge.sh               # gthread au lieu de sync
#   GUNICORN_OPTIONS="--access-logfile /tmp/acces.log --access-logformat '%(U)s %(s)s %(D)s'" \
#     scripts/charge.sh                                 # durées côté serveur (µs), file exclue
#   REGENERER=1 scripts/charge.sh                       # refaire les données d'échelle
set -euo pipefail
source "$(dirname "$0")/_commun.sh"
cd "$RACINE"

BASE="${BASE:-evalpic_banc_charge}"
PORT="${PORT:-}"                  # vide : un port libre de 127.0.0.1
UTILISATEURS="${UTILISATEURS:-50}"
CADENCE="${CADENCE:-10}"          # utilisateurs lancés par seconde
DUREE="${DUREE:-60s}"
WORKERS="${WORKERS:-$((2 * $(nproc) + 1))}"
THREADS="${THREADS:-1}"           # 1 : workers sync; plus : gthread

installer_python "[banc]"
demarrer_postgresql
creer_role_postgresql
psql -q -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$BASE'" \
  | grep -q 1 || psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $BASE OWNER evalpic"

TRAVAIL="$(mktemp -d)"   # comptes et jetons (0600), journaux, CSV de locust : effacés à la fin
GUNICORN=""
arreter_gunicorn() {
  if [ -n "$GUNICORN" ] && kill -0 "$GUNICORN" 2>/dev/null; then
    kill -TERM "$GUNICORN"
    wait "$GUNICORN" 2>/dev/null || true
  fi
  GUNICORN=""
}
nettoyer() {
  arreter_gunicorn
  rm -rf "$TRAVAIL"
}
trap nettoyer EXIT
trap 'exit 130' INT TERM

export DATABASE_URL="postgres://evalpic:evalpic@127.0.0.1:5432/$BASE"
unset CELERY_BROKER_URL CELERY_RESULT_BACKEND

# Préparation, en mode développement : migrations, données d'échelle, comptes de la charge.
DJANGO_DEBUG=true "$PY" manage.py migrate --no-input -v 0
if [ -n "${REGENERER:-}" ] || ! DJANGO_DEBUG=true "$PY" manage.py shell -c \
    "from rapports.echelle import donnees_echelle_presentes as p; raise SystemExit(0 if p() else 1)"; then
  DJANGO_DEBUG=true "$PY" manage.py generer_donnees_echelle --remplacer \
    --quartiers "${QUARTIERS:-32}" --indicateurs "${INDICATEURS:-120}" --trimestres "${TRIMESTRES:-40}"
fi
DJANGO_DEBUG=true "$PY" -m benchmarks.preparer_charge --sortie "$TRAVAIL/comptes.json"

# Le serveur, avec les réglages de production : DEBUG faux, secret jetable, fichiers statiques
# compressés servis par whitenoise, connexions à la base gardées. Les requêtes de locust arrivent
# comme par le mandataire TLS de la production : X-Forwarded-Proto: https (cookies sécurisés et
# redirection HTTPS restent actifs) et X-Forwarded-For, une adresse par personne virtuelle, lue
# grâce à ALLAUTH_TRUSTED_PROXY_COUNT=1 (la limite de 30 connexions par minute et par IP reste
# celle de la production). Seul le débit de l'API par jeton est relevé : le test mesure le
# serveur, pas la limite (un outil à 1,5 requête/s dépasse 2 000/h en 22 min, et avec un cache
# partagé, CACHE_URL, les relances successives du test s'additionneraient).
export DJANGO_DEBUG=false
DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DATABASE_CONN_MAX_AGE=60
export STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage
export ALLAUTH_TRUSTED_PROXY_COUNT=1
export API_LIMITE_UTILISATEUR=100000/hour
export LOG_LEVEL=WARNING
"$PY" manage.py collectstatic --no-input -v 0

OPTIONS_GUNICORN=()
[ -n "${GUNICORN_OPTIONS:-}" ] && eval "OPTIONS_GUNICORN=($GUNICORN_OPTIONS)"
CLASSE=sync
[ "$THREADS" -gt 1 ] && CLASSE=gthread
if [ -z "$PORT" ]; then
  PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
elif (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "Le port $PORT est déjà pris : un autre serveur y répondrait à la place de gunicorn." >&2
  exit 1
fi
echo "→ gunicorn sur 127.0.0.1:$PORT : $WORKERS workers $CLASSE × $THREADS fil(s), $(nproc) cœurs"
"$VENV/bin/gunicorn" evalpic.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers "$WORKERS" --worker-class "$CLASSE" --threads "$THREADS" --timeout 30 \
  --error-logfile "$TRAVAIL/gunicorn.log" ${GUNICORN_OPTIONS:+"${OPTIONS_GUNICORN[@]}"} &
GUNICORN=$!
PRET=""
for _ in $(seq 1 60); do
  kill -0 "$GUNICORN" 2>/dev/null || break
  if curl -fs -D - -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/sante/" \
      | grep -qi "^server: gunicorn"; then
    PRET=1
    break
  fi
  sleep 0.5
done
if [ -z "$PRET" ] || ! kill -0 "$GUNICORN" 2>/dev/null; then
  echo "gunicorn n'a pas démarré sur 127.0.0.1:$PORT :" >&2
  cat "$TRAVAIL/gunicorn.log" >&2
  exit 1
fi

# La machine est-elle à nous ? Le temps processeur de toute la machine (/proc/stat, en tics),
# de gunicorn (maître et workers) et de locust pendant la charge; le reste est PostgreSQL et
# les autres processus de la machine.
processeur() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
processeur_gunicorn() { ps -o times= -p "$GUNICORN" --ppid "$GUNICORN" | awk '{s+=$1} END {print s}'; }
echo "→ charge avant : $(uptime)"
read -r OCCUPE_AVANT TOTAL_AVANT <<<"$(processeur)"
GUNICORN_AVANT="$(processeur_gunicorn)"
set +e
TIMEFORMAT="%U %S"
{ time CHARGE_COMPTES="$TRAVAIL/comptes.json" CHARGE_RESUME="$TRAVAIL/resume.json" \
  PYTHONPATH="$RACINE" "$VENV/bin/locust" -f benchmarks/charge.py --headless --only-summary \
  --loglevel WARNING -u "$UTILISATEURS" -r "$CADENCE" -t "$DUREE" --stop-timeout 35 \
  --host "http://127.0.0.1:$PORT" --csv "$TRAVAIL/locust" 2>&3; } 3>&2 2>"$TRAVAIL/temps"
CODE=$?
set -e
read -r OCCUPE_APRES TOTAL_APRES <<<"$(processeur)"
GUNICORN_APRES="$(processeur_gunicorn)"
echo "→ charge après : $(uptime)"
arreter_gunicorn
awk -v o="$((OCCUPE_APRES - OCCUPE_AVANT))" -v t="$((TOTAL_APRES - TOTAL_AVANT))" \
  -v g="$((GUNICORN_APRES - GUNICORN_AVANT))" -v hz="$(getconf CLK_TCK)" -v c="$(nproc)" \
  '{ l = $1 + $2; printf "→ processeur pendant la charge : %.0f %% des %d cœurs occupés; " \
     "gunicorn %.0f s, locust %.0f s, le reste (PostgreSQL, autres processus) %.0f s, " \
     "sur %.0f s disponibles\n", 100 * o / t, c, g, l, o / hz - g - l, t / hz }' "$TRAVAIL/temps"

if grep -E "Error|Traceback" "$TRAVAIL/gunicorn.log" >/dev/null; then
  echo "→ erreurs de gunicorn :" >&2
  tail -n 40 "$TRAVAIL/gunicorn.log" >&2
  CODE=1
fi
[ -f "$TRAVAIL/resume.json" ] && "$PY" -m benchmarks.charge_commun "$TRAVAIL/resume.json"
[ -n "${GARDER_CSV:-}" ] && cp "$TRAVAIL"/locust_*.csv "$GARDER_CSV"/
exit "$CODE"
