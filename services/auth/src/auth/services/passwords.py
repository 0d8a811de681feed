"""Password hashing with argon2id (pwdlib), bounded so logins cannot exhaust memory."""

import secrets
from concurrent.futures import ThreadPoolExecutor

import anyio
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


class Passwords:
    """Hashes and verifies passwords; at most `concurrency` argon2 runs at once.

    Each argon2 run takes `memory_kib` of memory. The runs happen on `concurrency` threads
    of this object's own, not on whichever worker thread the request has: glibc gives each
    thread that allocates its own malloc arena and keeps a freed 19 MiB block there for
    reuse, so hashing on any of the 40 worker threads would grow the process by 19 MiB per
    thread that ever hashed (measured: auth at 890 MiB after a login burst). With its own
    threads the memory argon2 can hold is `concurrency * memory_kib`, whatever the load.
    """

    def __init__(self, *, memory_kib: int, time_cost: int, concurrency: int) -> None:
        self._hasher = PasswordHash(
            (Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=1),)
        )
        # Named, so a thread dump (py-spy dump) shows which threads hash.
        self.thread_name_prefix = f"argon2-{id(self):x}"
        self._threads = ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix=self.thread_name_prefix
        )
        # The same bound for requests, taken on the event loop before a route takes a
        # worker thread (auth.api.dependencies.HashingTurn): a burst of logins then waits
        # without holding the threads every other request (and /readyz) needs.
        self.turns = anyio.Semaphore(concurrency, fast_acquire=True)
        # Verified when an account does not exist, so that answer costs the same work.
        self._dummy_hash = self.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._threads.submit(self._hasher.hash, _encoded(password)).result()

    def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        """(matches, a new hash when the stored one used weaker parameters, else None).

        With no hash (no such account) a dummy hash is verified, and the answer is False.
        """
        if password_hash is None:
            self._threads.submit(self._hasher.verify, _encoded(password), self._dummy_hash).result()
            return False, None
        return self._threads.submit(
            self._hasher.verify_and_update, _encoded(password), password_hash
        ).result()


def _encoded(password: str) -> bytes:
    # JSON can carry lone surrogates, which strict UTF-8 cannot encode; surrogatepass keeps
    # them as bytes, so every string has one stable encoding and hashing never fails.
    return password.encode("utf-8", "surrogatepass")
