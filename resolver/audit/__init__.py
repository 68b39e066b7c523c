"""Auditing links for rot: verdicts, evidence, Wayback rescue."""
