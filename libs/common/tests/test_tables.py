from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Index, Integer, MetaData, Table, Text, UniqueConstraint
from sqlmodel import SQLModel

from todo_common.tables import NAMING_CONVENTION, timestamp_field, utc_now


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
