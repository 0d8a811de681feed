-- One service's database role: it may log in, owns the schema named after it, and has no
-- rights anywhere else. The same statements as
-- libs/common/src/todo_common/embedded_postgres.py (`ensure_service_databases` and
-- `provision_service_role`), written for psql so an operator can run them on Neon too
-- (docs/operations.md). Run as the database owner, once per service:
--
--     psql "$OWNER_URL" -v ON_ERROR_STOP=1 -v database=todo -v role=todos \
--          -v password="$TODOS_DB_PASSWORD" -f deploy/postgres/service-role.sql
--
-- Idempotent: running it again resets the role's password and changes nothing else.

-- Nobody but a schema's owner may create objects in the database at large.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;

SELECT format('CREATE ROLE %I', :'role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')
\gexec
ALTER ROLE :"role" LOGIN NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD :'password';
GRANT CONNECT ON DATABASE :"database" TO :"role";
CREATE SCHEMA IF NOT EXISTS :"role" AUTHORIZATION :"role";
-- pg_trgm for the search indexes, in a schema every service may use but not write.
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO :"role";
