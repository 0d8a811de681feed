#!/usr/bin/env bash
# The stand-in postgres image's entrypoint: the official image's contract, as far as
# docker-compose.yml uses it. On the first start (an empty $PGDATA) it creates the cluster
# with POSTGRES_USER / POSTGRES_PASSWORD, creates POSTGRES_DB, and runs the *.sh and *.sql
# files of /docker-entrypoint-initdb.d in name order against a temporary server that
# listens on its unix socket only (so a TCP health check passes only once they finished).
# Then, and on every later start, it runs `postgres` listening on every interface.
set -euo pipefail

if [[ "${1:-}" == postgres && "$(id -u)" == 0 ]]; then
  # The data volume may be new and owned by root: give it to postgres, then drop root.
  install -d -o postgres -g postgres -m 0700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

initialise() {
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set (the password of the superuser)}"
  export POSTGRES_USER="${POSTGRES_USER:-postgres}"
  export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"

  pg_ctl --wait --silent --options="-c listen_addresses=''" start
  local psql=(psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER")
  if [[ "$POSTGRES_DB" != postgres ]]; then
    "${psql[@]}" --dbname postgres --set name="$POSTGRES_DB" <<<'CREATE DATABASE :"name";'
  fi
  local script
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh) echo "docker-entrypoint.sh: running $script"; bash "$script" ;;
      *.sql) echo "docker-entrypoint.sh: running $script"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$script" ;;
      *) if [[ -e "$script" ]]; then echo "docker-entrypoint.sh: ignoring $script"; fi ;;
    esac
  done
  pg_ctl --wait --silent --mode=fast stop
  echo "docker-entrypoint.sh: initialised $PGDATA"
}

if [[ "${1:-}" == postgres && ! -s "$PGDATA/PG_VERSION" ]]; then
  initialise
fi
exec "$@"
