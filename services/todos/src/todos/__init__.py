"""The todos service: each user's todo items."""
