"""The lockout policy's arithmetic (the HTTP behaviour is in api/test_login.py)."""

from datetime import timedelta

import pytest

from auth.services.lockout import LockoutPolicy

POLICY = LockoutPolicy(threshold=5, base_seconds=30, max_seconds=900)


class TestLockFor:
    @pytest.mark.parametrize("failures", [0, 1, 4])
    def test_below_the_threshold_nothing_locks(self, failures: int) -> None:
        assert POLICY.lock_for(failures) is None

    @pytest.mark.parametrize(
        ("failures", "seconds"), [(5, 30), (6, 60), (7, 120), (9, 480), (10, 900), (11, 900)]
    )
    def test_each_failure_doubles_the_lock_up_to_the_cap(self, failures: int, seconds: int) -> None:
        assert POLICY.lock_for(failures) == timedelta(seconds=seconds)

    def test_a_huge_count_stays_at_the_cap(self) -> None:
        assert POLICY.lock_for(10**9) == timedelta(seconds=900)
