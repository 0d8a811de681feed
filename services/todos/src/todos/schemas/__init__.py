"""Request and response models of the todos API (never the table models)."""
