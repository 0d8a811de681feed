"""Test harness shared by every service: a real PostgreSQL, settings, tokens.

Load it from a conftest with `pytest_plugins = ["todo_common.testing.fixtures"]`.
"""
