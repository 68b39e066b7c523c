"""Archiving what an article cites: WARC, readable copies, manifest, verification."""
