from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from tests.fixtures import make_settings
from todo_common.database import create_db_engine
from todo_common.settings import CommonSettings

ENV_PY = """
from alembic import context
from sqlalchemy import MetaData

from todo_common.migrations import run_migrations

attributes = context.config.attributes
run_migrations(MetaData(), attributes["settings"], model_schema=attributes["model_schema"])
"""

FIRST_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    schema = op.get_context().config.attributes["model_schema"]
    op.create_table("gizmo", sa.Column("id", sa.Integer, primary_key=True), schema=schema)


def downgrade() -> None:
    op.drop_table("gizmo", schema=op.get_context().config.attributes["model_schema"])
"""


@pytest.fixture
def alembic_config_for(
    tmp_path: Path, service_database_urls: dict[str, str]
) -> Callable[[str], Config]:
    """A one-revision history whose models name `model_schema`, deployed as the users service."""
    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text(ENV_PY)
    (tmp_path / "versions" / "0001_create_gizmo.py").write_text(FIRST_REVISION)

    def factory(model_schema: str) -> Config:
        config = Config()
        config.set_main_option("script_location", str(tmp_path))
        config.set_main_option("path_separator", "os")
        config.attributes["settings"] = make_settings(
            service_database_urls["users"], schema="users"
        )
        config.attributes["model_schema"] = model_schema
        return config

    return factory


def tables_in(settings: CommonSettings, schema: str) -> set[str]:
    engine = create_db_engine(settings)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": schema},
            )
            return {row[0] for row in rows}
    finally:
        engine.dispose()


class TestRunMigrations:
    def test_upgrade_lands_in_the_service_schema_with_its_own_history(
        self, alembic_config_for: Callable[[str], Config]
    ) -> None:
        # The models name `placeholder`; this deployment's DB_SCHEMA is `users`.
        config = alembic_config_for("placeholder")
        settings = config.attributes["settings"]

        command.upgrade(config, "head")
        try:
            assert {"gizmo", "alembic_version"} <= tables_in(settings, "users")
        finally:
            command.downgrade(config, "base")

        assert "gizmo" not in tables_in(settings, "users")

    def test_upgrade_sets_the_roles_statement_timeout(
        self, alembic_config_for: Callable[[str], Config]
    ) -> None:
        config = alembic_config_for("users")
        settings = config.attributes["settings"].model_copy(
            update={"db_statement_timeout_ms": 1234}
        )
        config.attributes["settings"] = settings

        command.upgrade(config, "head")
        try:
            # A new session of the role starts with it: through a pooler too.
            engine = create_db_engine(settings)
            try:
                with engine.connect() as connection:
                    timeout = connection.execute(text("SHOW statement_timeout")).scalar()
            finally:
                engine.dispose()
        finally:
            command.downgrade(config, "base")
            config.attributes["settings"] = settings.model_copy(
                update={"db_statement_timeout_ms": 5000}
            )
            command.upgrade(config, "head")
            command.downgrade(config, "base")

        assert timeout == "1234ms"

    def test_offline_mode_writes_sql_for_the_service_schema(
        self, alembic_config_for: Callable[[str], Config], capsys: pytest.CaptureFixture[str]
    ) -> None:
        command.upgrade(alembic_config_for("users"), "head", sql=True)

        sql = capsys.readouterr().out
        assert "CREATE TABLE users.alembic_version" in sql
        assert "CREATE TABLE users.gizmo" in sql

    def test_offline_mode_refuses_a_renamed_schema_rather_than_target_the_wrong_one(
        self, alembic_config_for: Callable[[str], Config], capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(RuntimeError, match="DB_SCHEMA='users'"):
            command.upgrade(alembic_config_for("placeholder"), "head", sql=True)

        assert "placeholder.gizmo" not in capsys.readouterr().out
