# Fonctions partagées par scripts/demarrer.sh et scripts/tester.sh (sourcé, pas exécuté).

RACINE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$RACINE/.venv}"
PY="$VENV/bin/python"

site_url_de_l_adresse() {
  # $1 : l'adresse de runserver (« hôte:port », ou le port seul) -> l'URL des liens des
  # courriels (SITE_URL). 0.0.0.0, 0 (son raccourci pour runserver) et [::] écoutent partout :
  # les liens visent la machine locale.
  local adresse="$1"
  case "$adresse" in
    *:*) ;;
    *) adresse="127.0.0.1:$adresse" ;;
  esac
  case "$adresse" in
    0.0.0.0:*) adresse="127.0.0.1:${adresse#0.0.0.0:}" ;;
    0:*) adresse="127.0.0.1:${adresse#0:}" ;;
    "[::]":*) adresse="[::1]:${adresse#\[::\]:}" ;;
  esac
  echo "http://$adresse"
}

preparer_adresse() {
  # ADRESSE (127.0.0.1:8000 par défaut) et, sans SITE_URL posé (ni dans l'environnement ni dans
  # le .env que lit settings.py), SITE_URL qui en est déduit.
  ADRESSE="${ADRESSE:-127.0.0.1:8000}"
  if [ -n "${SITE_URL:-}" ]; then
    export SITE_URL
  elif ! grep -qE '^[[:space:]]*(export[[:space:]]+)?SITE_URL=' "$RACINE/.env" 2>/dev/null; then
    SITE_URL="$(site_url_de_l_adresse "$ADRESSE")"
    export SITE_URL
  fi
}

installer_paquets_debian() {
  # Installe les paquets Debian manquants (root seulement; sinon on dit quoi installer).
  local manquants=()
  for paquet in "$@"; do
    dpkg -s "$paquet" >/dev/null 2>&1 || manquants+=("$paquet")
  done
  [ ${#manquants[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Paquets Debian manquants : ${manquants[*]} (installez-les avec apt-get)." >&2
    return 0
  fi
  echo "→ apt-get install ${manquants[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${manquants[@]}" >/dev/null
}

installer_python() {
  # $1 : les extras pip (ex. "[dev]"). Un venv local, réutilisé d'une fois à l'autre.
  if [ ! -x "$PY" ]; then
    echo "→ création de l'environnement Python ($VENV)"
    python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
  fi
  "$PY" -m pip install -q --disable-pip-version-check -e "$RACINE$1" 2>&1 | grep -v "^WARNING: Location" || true
}

demarrer_postgresql() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  echo "→ démarrage de PostgreSQL"
  local version
  version="$(ls /etc/postgresql | sort -n | tail -1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
  echo "PostgreSQL ne répond pas sur 127.0.0.1:5432" >&2
  return 1
}

creer_role_postgresql() {
  # Le rôle de l'application, avec CREATEDB : pytest-django crée sa propre base de test.
  psql -q -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 <<'SQL'
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'evalpic') THEN
    CREATE ROLE evalpic LOGIN CREATEDB PASSWORD 'evalpic';
  END IF;
END$$;
SQL
  psql -q -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'evalpic'" \
    | grep -q 1 || psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE evalpic OWNER evalpic"
}

demarrer_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return 0; fi
  echo "→ démarrage de Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/evalpic-redis.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "Redis ne répond pas sur 127.0.0.1:6379" >&2
  return 1
}
