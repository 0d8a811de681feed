"""The users service: user profiles."""
