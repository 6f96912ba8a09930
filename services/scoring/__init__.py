"""The scoring API service: grade rows with registered scoring functions."""
