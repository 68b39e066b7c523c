"""Recovering tweets: identification, sources, and the record."""
