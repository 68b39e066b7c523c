"""Expanding links: whole redirect chains, Twitter-aware, polite, fast, cached.

`resolver.expand(urls)` and `resolver.aexpand(urls)` are the entry points; the engine is in
`resolver.expander.engine`. Modules, one job each:

- `verdicts`: the hop types and verdict slugs (a contract), with their cache policy;
- `relocation`: finding where a page sends its reader (Refresh header, meta refresh, script);
- `guard`: refusing loopback, private, link-local and multicast targets;
- `failures`: turning transport errors and proxy error pages into verdicts;
- `limits`: the global and per-host concurrency, intervals and Retry-After backoff;
- `engine`: the chains themselves, with in-flight deduplication and the cache.
"""
