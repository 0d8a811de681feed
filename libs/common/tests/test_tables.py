from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest
from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from todo_common.tables import NAMING_CONVENTION, string_enum, timestamp_field, utc_now


class Stamped(SQLModel):
    created_at: datetime = timestamp_field()


class TestNamingConvention:
    def test_is_set_on_sqlmodels_metadata(self) -> None:
        assert SQLModel.metadata.naming_convention == NAMING_CONVENTION

    def test_names_constraints_predictably(self) -> None:
        metadata = MetaData(naming_convention=NAMING_CONVENTION)
        gizmo = Table(
            "gizmo",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("owner", Integer),
            Column("name", Text),
            UniqueConstraint("owner", "name"),
            Index(None, "name"),
        )

        names = {constraint.name for constraint in gizmo.constraints} | {
            index.name for index in gizmo.indexes
        }

        assert names == {"pk_gizmo", "uq_gizmo_owner_name", "ix_gizmo_name"}


class TestTimestamps:
    def test_utc_now_is_aware(self) -> None:
        assert utc_now().utcoffset() == timedelta(0)

    def test_timestamp_field_defaults_to_now_in_utc(self) -> None:
        before = datetime.now(UTC)

        stamped = Stamped()

        assert stamped.created_at.tzinfo is UTC
        assert before <= stamped.created_at <= datetime.now(UTC)


class Size(StrEnum):
    SMALL = "small"
    ENORMOUS = "enormous"


class TestStringEnum:
    def test_stores_values_and_refuses_anything_else(
        self, service_database_urls: dict[str, str]
    ) -> None:
        metadata = MetaData(naming_convention=NAMING_CONVENTION)
        parcel = Table(
            "parcel",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("size", string_enum(Size, name="size")),
            schema="todos",
        )
        url = make_url(service_database_urls["todos"]).set(drivername="postgresql+psycopg2")
        engine = create_engine(url)
        metadata.create_all(engine)
        try:
            with engine.begin() as connection:
                connection.execute(parcel.insert().values(id=1, size=Size.ENORMOUS))
                stored = connection.execute(text("SELECT size FROM todos.parcel")).scalar_one()
            assert stored == "enormous"

            with (
                pytest.raises(IntegrityError, match="ck_parcel_size"),
                engine.begin() as connection,
            ):
                connection.execute(text("INSERT INTO todos.parcel VALUES (2, 'medium')"))
        finally:
            metadata.drop_all(engine)
            engine.dispose()
