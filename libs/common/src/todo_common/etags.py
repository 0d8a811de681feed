"""Entity tags from row versions, and `If-Match` preconditions (RFC 9110, section 13.1.1)."""

from todo_common.errors import PreconditionFailed


def etag_for(version: int) -> str:
    return f'"{version}"'


def require_match(if_match: str | None, version: int) -> None:
    """Raise 412 unless `If-Match` is absent, `*`, or lists the current version's tag.

    If-Match uses the strong comparison, so weak tags (`W/"3"`) never match.
    """
    if if_match is None:
        return
    candidates = [candidate.strip() for candidate in if_match.split(",")]
    if "*" in candidates or etag_for(version) in candidates:
        return
    raise PreconditionFailed(
        f"If-Match {if_match.strip()[:100]} does not match the current ETag {etag_for(version)}"
    )
