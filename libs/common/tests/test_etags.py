import pytest

from todo_common.errors import PreconditionFailed
from todo_common.etags import etag_for, require_match


class TestEtagFor:
    def test_is_the_quoted_version(self) -> None:
        assert etag_for(3) == '"3"'


class TestRequireMatch:
    @pytest.mark.parametrize(
        "if_match",
        [None, "*", '"3"', ' "3" ', '"1", "3"', '"1","3"', 'W/"1", "3"', '"2", *'],
        ids=[
            "absent",
            "any",
            "current",
            "spaces",
            "list",
            "list-no-spaces",
            "weak-and-strong",
            "star-in-list",
        ],
    )
    def test_passes(self, if_match: str | None) -> None:
        require_match(if_match, 3)

    @pytest.mark.parametrize(
        "if_match",
        ['"2"', 'W/"3"', "3", '"1", "2"', "", '"33"', '"3'],
        ids=[
            "stale",
            "weak",
            "unquoted",
            "list-without-current",
            "empty",
            "prefix",
            "unterminated",
        ],
    )
    def test_fails_with_412(self, if_match: str) -> None:
        with pytest.raises(PreconditionFailed) as failed:
            require_match(if_match, 3)

        assert failed.value.status_code == 412
        assert '"3"' in failed.value.detail

    def test_detail_quotes_at_most_100_characters_of_the_header(self) -> None:
        with pytest.raises(PreconditionFailed) as failed:
            require_match('"' + "9" * 500 + '"', 3)

        assert len(failed.value.detail) < 200
