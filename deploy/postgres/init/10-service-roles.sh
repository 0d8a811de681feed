#!/usr/bin/env bash
# The official postgres image runs this once, when it initialises an empty data directory
# (docker-compose.yml mounts this folder on /docker-entrypoint-initdb.d). It gives each
# service its own login role and schema in $POSTGRES_DB, as on Neon.
#
# Passwords come from AUTH_DB_PASSWORD, USERS_DB_PASSWORD and TODOS_DB_PASSWORD, which
# docker-compose.yml passes in (with local-only defaults). Connection settings are psql's
# usual PG* variables, so the same script provisions any PostgreSQL it can reach.
set -euo pipefail

sql_file="${SERVICE_ROLE_SQL:-/todo-platform/service-role.sql}"

for service in auth users todos; do
    password_variable="${service^^}_DB_PASSWORD"
    password="${!password_variable:?${password_variable} must be set}"
    psql --no-psqlrc -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-todo}" \
        -v database="${POSTGRES_DB:-todo}" -v role="$service" -v password="$password" \
        --quiet --file "$sql_file"
    echo "10-service-roles: role and schema '$service' ready"
done
