"""Recovering tweets: identification, sources, and the record (`resolver tweet`, `resolver tweets`).

Named `twitter`, not `tweets`: `resolver.tweet()` and `resolver.tweets()` are the library calls.
"""
