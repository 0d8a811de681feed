"""Request and response models of the auth API (never the table models)."""
