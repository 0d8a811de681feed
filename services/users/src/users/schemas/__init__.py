"""Request and response models of the users API (never the table models)."""
