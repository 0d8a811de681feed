"""`make compose-down` leaves nothing of the stack behind. Runs after test_stack.py (pytest
takes the files in name order), on the same session stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.containers.compose import ComposeStack


def test_compose_down_leaves_no_container_network_or_volume(
    compose_stack: ComposeStack, tmp_path: Path
) -> None:
    # The stack is up: the check below can see what it made.
    assert compose_stack.labelled("container")
    assert compose_stack.labelled("network")
    assert compose_stack.labelled("volume")

    down = compose_stack.make("compose-down", tmp_path / "down.log", timeout=300)
    assert down.returncode == 0, (tmp_path / "down.log").read_text()

    for kind in ("container", "network", "volume"):
        left = compose_stack.labelled(kind)
        if left:
            pytest.fail(f"left behind: {kind}s {left}")
