import threading
from concurrent.futures import ThreadPoolExecutor

from auth.services.passwords import Passwords

# Small parameters: the test is about where argon2 runs, not how long it takes.
MEMORY_KIB = 1024


def _hashing_threads(passwords: Passwords) -> set[str]:
    prefix = passwords.thread_name_prefix
    return {thread.name for thread in threading.enumerate() if thread.name.startswith(prefix)}


def test_a_burst_of_logins_hashes_on_at_most_concurrency_threads() -> None:
    # Each thread that runs argon2 keeps its memory in its own malloc arena, so the number
    # of threads that ever hash is what bounds the process's memory.
    passwords = Passwords(memory_kib=MEMORY_KIB, time_cost=1, concurrency=2)
    stored = passwords.hash("correct horse battery")

    with ThreadPoolExecutor(max_workers=16) as requests:
        answers = list(
            requests.map(lambda _: passwords.verify("correct horse battery", stored), range(64))
        )

    assert answers == [(True, None)] * 64
    assert 1 <= len(_hashing_threads(passwords)) <= 2


def test_wrong_and_unknown_passwords_are_refused() -> None:
    passwords = Passwords(memory_kib=MEMORY_KIB, time_cost=1, concurrency=1)
    stored = passwords.hash("correct horse battery")

    assert passwords.verify("wrong horse", stored) == (False, None)
    assert passwords.verify("anything", None) == (False, None)
