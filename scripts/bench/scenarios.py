"""The scenarios of a run: which Lua script, against which service, as which owner."""

from __future__ import annotations

from dataclasses import dataclass

TODOS = "/api/v1/todos"
LOGIN = "/api/v1/auth/login"
# The filter of the filtered list pages: open todos (two thirds of the rows).
FILTER = "completed=false"


@dataclass(frozen=True)
class Scenario:
    name: str
    """get_by_id, list, create, patch, login or mixed (the `scenario` of a result row)."""
    script: str
    service: str
    owner: str
    """heavy (BENCH_TODOS - 10k todos), small (10k) or writer (the creates land there)."""
    variant: str = ""
    path: str | None = None
    """For a fixed request: the path and query."""

    @property
    def label(self) -> str:
        return f"{self.name} {self.variant}".strip()


def list_page(variant: str, owner: str, *, deep: bool, filtered: bool) -> Scenario:
    query = "limit=20" + (f"&{FILTER}" if filtered else "") + ("&cursor={cursor}" if deep else "")
    return Scenario("list", "list.lua", "todos", owner, variant, f"{TODOS}?{query}")


def all_scenarios(*, quick: bool) -> list[Scenario]:
    pages = [
        list_page("first", "heavy", deep=False, filtered=False),
        list_page("deep", "heavy", deep=True, filtered=False),
    ]
    if not quick:
        pages += [
            list_page("filtered first", "heavy", deep=False, filtered=True),
            list_page("filtered deep", "heavy", deep=True, filtered=True),
            list_page("first 10k", "small", deep=False, filtered=False),
            list_page("deep 10k", "small", deep=True, filtered=False),
        ]
    return [
        Scenario("get_by_id", "get_by_id.lua", "todos", "heavy"),
        *pages,
        Scenario("create", "create.lua", "todos", "writer"),
        Scenario("patch", "patch.lua", "todos", "heavy"),
        Scenario("login", "login.lua", "auth", "writer", path=LOGIN),
        Scenario("mixed", "mixed.lua", "todos", "heavy", "70/20/10", f"{TODOS}?limit=20"),
    ]
