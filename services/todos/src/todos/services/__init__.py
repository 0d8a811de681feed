"""The rules and queries of the todos service. SQL lives here and nowhere else."""
