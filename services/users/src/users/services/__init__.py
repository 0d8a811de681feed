"""The rules and queries of the users service. SQL lives here and nowhere else."""
