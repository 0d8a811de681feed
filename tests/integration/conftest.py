"""Services talking to each other for real, as processes over HTTP.

events/: users and todos as uvicorn processes, the outbox relay between them.
identity/: auth as a uvicorn process, todos verifying its tokens (HS256, and RS256 by JWKS).
"""

pytest_plugins = ["todo_common.testing.fixtures"]
