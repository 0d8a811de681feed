"""Password hashing with argon2id (pwdlib), bounded so logins cannot exhaust memory."""

import secrets
import threading

import anyio
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


class Passwords:
    """Hashes and verifies passwords; at most `concurrency` argon2 runs at once.

    Each argon2 run takes `memory_kib` of memory: the bound keeps a burst of logins from
    multiplying that by the size of the thread pool.
    """

    def __init__(self, *, memory_kib: int, time_cost: int, concurrency: int) -> None:
        self._hasher = PasswordHash(
            (Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=1),)
        )
        self._slots = threading.BoundedSemaphore(concurrency)
        # The same bound for requests, taken on the event loop before a route takes a
        # worker thread (auth.api.dependencies.HashingTurn): a burst of logins then waits
        # without holding the threads every other request (and /readyz) needs.
        self.turns = anyio.Semaphore(concurrency, fast_acquire=True)
        # Verified when an account does not exist, so that answer costs the same work.
        self._dummy_hash = self.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        with self._slots:
            return self._hasher.hash(_encoded(password))

    def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        """(matches, a new hash when the stored one used weaker parameters, else None).

        With no hash (no such account) a dummy hash is verified, and the answer is False.
        """
        with self._slots:
            if password_hash is None:
                self._hasher.verify(_encoded(password), self._dummy_hash)
                return False, None
            return self._hasher.verify_and_update(_encoded(password), password_hash)


def _encoded(password: str) -> bytes:
    # JSON can carry lone surrogates, which strict UTF-8 cannot encode; surrogatepass keeps
    # them as bytes, so every string has one stable encoding and hashing never fails.
    return password.encode("utf-8", "surrogatepass")
