"""resolver: keeps the sources an article cites from rotting away.

The library mirrors the command line: `scan()` / `scan_many()` here are what
`resolver scan` calls. Heavier stages load on first use, so `import resolver` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from resolver.errors import FetchError, InputError, ResolverError, UsageError
from resolver.models import (
    ArticleFormat,
    ArticleScan,
    ArticleTweets,
    EmbeddedTweet,
    Expansion,
    Hop,
    IdSource,
    Link,
    LinkKind,
    ScanFailure,
    StatusRef,
    Tweet,
    TweetCandidate,
    TweetEmbed,
    TweetLink,
    TweetLookup,
    TweetMedia,
    TweetState,
    Where,
)

if TYPE_CHECKING:
    from resolver.archive.api import ArchiveOptions, aarchive, archive
    from resolver.audit.api import aaudit_links, audit_links
    from resolver.audit.auditor import AuditOptions
    from resolver.audit.model import AuditRecord, AuditVerdict, Outcome
    from resolver.expander.api import ExpandOptions, aexpand, aexpand_iter, expand
    from resolver.scanner import scan, scan_article, scan_bytes, scan_many
    from resolver.twitter.api import TweetOptions, atweet, atweets, tweet, tweets

_LAZY = {
    "scan": "resolver.scanner",
    "scan_many": "resolver.scanner",
    "scan_bytes": "resolver.scanner",
    "scan_article": "resolver.scanner",
    "expand": "resolver.expander.api",
    "aexpand": "resolver.expander.api",
    "aexpand_iter": "resolver.expander.api",
    "ExpandOptions": "resolver.expander.api",
    "tweet": "resolver.twitter.api",
    "atweet": "resolver.twitter.api",
    "tweets": "resolver.twitter.api",
    "atweets": "resolver.twitter.api",
    "TweetOptions": "resolver.twitter.api",
    "archive": "resolver.archive.api",
    "aarchive": "resolver.archive.api",
    "ArchiveOptions": "resolver.archive.api",
    "audit_links": "resolver.audit.api",
    "aaudit_links": "resolver.audit.api",
    "AuditOptions": "resolver.audit.auditor",
    "AuditRecord": "resolver.audit.model",
    "AuditVerdict": "resolver.audit.model",
    "Outcome": "resolver.audit.model",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'resolver' has no attribute {name!r}")


__all__ = [
    "ArchiveOptions",
    "ArticleFormat",
    "ArticleScan",
    "ArticleTweets",
    "AuditOptions",
    "AuditRecord",
    "AuditVerdict",
    "EmbeddedTweet",
    "ExpandOptions",
    "Expansion",
    "FetchError",
    "Hop",
    "IdSource",
    "InputError",
    "Link",
    "LinkKind",
    "Outcome",
    "ResolverError",
    "ScanFailure",
    "StatusRef",
    "Tweet",
    "TweetCandidate",
    "TweetEmbed",
    "TweetLink",
    "TweetLookup",
    "TweetMedia",
    "TweetOptions",
    "TweetState",
    "UsageError",
    "Where",
    "__version__",
    "aarchive",
    "aaudit_links",
    "aexpand",
    "aexpand_iter",
    "archive",
    "atweet",
    "atweets",
    "audit_links",
    "expand",
    "scan",
    "scan_article",
    "scan_bytes",
    "scan_many",
    "tweet",
    "tweets",
]
