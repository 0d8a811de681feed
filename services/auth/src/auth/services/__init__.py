"""The rules and queries of the auth service. SQL lives here and nowhere else."""
