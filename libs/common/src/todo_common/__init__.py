"""Shared library of the Todo platform: what every service needs, written once."""
