"""The audit's vocabulary and records: verdicts, the three-way outcome, one record per link.

Both enums are a contract (users' scripts and CI rules rely on the exact strings): add
members, never rename them. The table `VERDICTS` says what each verdict means and which
outcome it maps to, in one place: a blocked or timed-out link is not known to be dead, so it
is `uncertain`, and `uncertain` links alone never fail a run unless asked (`--fail-on`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Outcome(StrEnum):
    DEAD = "dead"
    ALIVE = "alive"
    UNCERTAIN = "uncertain"

    def __str__(self) -> str:
        return self.value


class AuditVerdict(StrEnum):
    ALIVE = "alive"
    MOVED = "moved"
    DEAD = "dead"
    SOFT_404 = "soft-404"
    PARKED = "parked"
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    SERVER_ERROR = "server-error"
    TWEET_DELETED = "tweet-deleted"
    ACCOUNT_SUSPENDED = "account-suspended"
    TWEET_PROTECTED = "tweet-protected"
    TWEET_WITHHELD = "tweet-withheld"
    EXCLUDED = "excluded"
    UNSUPPORTED = "unsupported"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class VerdictInfo:
    outcome: Outcome
    meaning: str


#: Every verdict: its outcome and what it means (the README's table is checked against this).
VERDICTS = MappingProxyType(
    {
        AuditVerdict.ALIVE: VerdictInfo(Outcome.ALIVE, "the link answers with the page (2xx)"),
        AuditVerdict.MOVED: VerdictInfo(
            Outcome.ALIVE, "a permanent redirect to a different page that is alive: repoint the link"
        ),
        AuditVerdict.DEAD: VerdictInfo(Outcome.DEAD, "404 or 410, or the host name does not exist"),
        AuditVerdict.SOFT_404: VerdictInfo(
            Outcome.DEAD,
            "a 200 page that says it is not found, a deep link sent to the home or a login page, "
            "or the same page a random sibling URL gets",
        ),
        AuditVerdict.PARKED: VerdictInfo(Outcome.DEAD, "the domain is parked or for sale"),
        AuditVerdict.BLOCKED: VerdictInfo(
            Outcome.UNCERTAIN, "401, 403 or 429, a bot wall or a challenge page: the tool could not tell"
        ),
        AuditVerdict.UNREACHABLE: VerdictInfo(Outcome.UNCERTAIN, "connection refused, reset, or a TLS error"),
        AuditVerdict.TIMEOUT: VerdictInfo(Outcome.UNCERTAIN, "no answer in time"),
        AuditVerdict.SERVER_ERROR: VerdictInfo(Outcome.UNCERTAIN, "a 5xx that persisted through the retries"),
        AuditVerdict.TWEET_DELETED: VerdictInfo(Outcome.DEAD, "the tweet is deleted (or never existed)"),
        AuditVerdict.ACCOUNT_SUSPENDED: VerdictInfo(Outcome.DEAD, "the tweet's account is suspended"),
        AuditVerdict.TWEET_PROTECTED: VerdictInfo(Outcome.UNCERTAIN, "the tweet's account is protected"),
        AuditVerdict.TWEET_WITHHELD: VerdictInfo(Outcome.UNCERTAIN, "the tweet is withheld (in a country)"),
        AuditVerdict.EXCLUDED: VerdictInfo(Outcome.UNCERTAIN, "excluded by the user's rules: not checked"),
        AuditVerdict.UNSUPPORTED: VerdictInfo(
            Outcome.UNCERTAIN,
            "not an http(s) link (ftp:, an app's scheme), or a redirect to one: not checked",
        ),
    }
)

#: The verdicts of links the tool did not check: `uncertain`, since nothing is known of them,
#: but not failed by the outcome name (`--fail-on uncertain`) nor looked up in the Wayback.
#: Whether they are excluded by the user or cannot be fetched over HTTP, checking again will
#: not change them: a CI run that failed on them would fail for ever. Named, they do fail.
NOT_CHECKED: frozenset[AuditVerdict] = frozenset({AuditVerdict.EXCLUDED, AuditVerdict.UNSUPPORTED})


def outcome_of(verdict: AuditVerdict) -> Outcome:
    return VERDICTS[verdict].outcome


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One link occurrence of one article, audited."""

    article: str  #: the path, URL or `-` it was read from ("" for a plain list of links)
    url: str
    final_url: str | None
    verdict: AuditVerdict
    evidence: str  #: what led to the verdict, for people (stable wording)
    where: dict[str, Any] = field(default_factory=dict)
    kind: str = "other"
    host: str = ""
    text: str | None = None  #: the anchor text
    http_status: int | None = None
    wayback_url: str | None = None
    wayback_timestamp: str | None = None
    article_date: str | None = None  #: YYYY-MM-DD, when known
    tweet_id: str | None = None
    from_cache: bool = False

    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.verdict)

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "url": self.url,
            "final_url": self.final_url,
            "verdict": self.verdict.value,
            "outcome": self.outcome.value,
            "evidence": self.evidence,
            "where": self.where,
            "wayback_url": self.wayback_url,
            "wayback_timestamp": self.wayback_timestamp,
            "kind": self.kind,
            "host": self.host,
            "text": self.text,
            "http_status": self.http_status,
            "article_date": self.article_date,
            "tweet_id": self.tweet_id,
            "from_cache": self.from_cache,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditRecord:
        """The record `to_json` wrote (the run's journal reads them back on `--resume`).

        Raises KeyError, TypeError or ValueError on anything else."""
        where = data.get("where") or {}
        if not isinstance(where, dict):
            raise TypeError("where is an object")
        return cls(
            article=str(data["article"]),
            url=str(data["url"]),
            final_url=data.get("final_url"),
            verdict=AuditVerdict(data["verdict"]),
            evidence=str(data["evidence"]),
            where=where,
            kind=str(data.get("kind") or "other"),
            host=str(data.get("host") or ""),
            text=data.get("text"),
            http_status=data.get("http_status"),
            wayback_url=data.get("wayback_url"),
            wayback_timestamp=data.get("wayback_timestamp"),
            article_date=data.get("article_date"),
            tweet_id=data.get("tweet_id"),
            from_cache=bool(data.get("from_cache")),
        )


@dataclass(slots=True)
class AuditSummary:
    """Counts over records, built as they stream (a run over 100,000 articles)."""

    articles: int = 0
    failed_articles: int = 0
    links: int = 0
    by_verdict: Counter[str] = field(default_factory=Counter)
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_domain: dict[str, Counter[str]] = field(default_factory=dict)
    by_year: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, record: AuditRecord) -> None:
        self.links += 1
        self.by_verdict[record.verdict.value] += 1
        outcome = record.outcome.value
        self.by_outcome[outcome] += 1
        domain = self.by_domain.setdefault(record.host or "?", Counter())
        domain[outcome] += 1
        year = (record.article_date or "")[:4] or "unknown"
        self.by_year.setdefault(year, Counter())[outcome] += 1

    def to_json(self) -> dict[str, Any]:
        def rates(table: dict[str, Counter[str]]) -> dict[str, dict[str, Any]]:
            out = {}
            for key, counts in sorted(table.items()):
                total = sum(counts.values())
                out[key] = {
                    "total": total,
                    **{o.value: counts.get(o.value, 0) for o in Outcome},
                    "rot_rate": round(counts.get("dead", 0) / total, 4) if total else 0.0,
                }
            return out

        return {
            "articles": self.articles,
            "failed_articles": self.failed_articles,
            "links": self.links,
            "by_verdict": dict(sorted(self.by_verdict.items())),
            "by_outcome": {o.value: self.by_outcome.get(o.value, 0) for o in Outcome},
            "by_domain": rates(self.by_domain),
            "by_year": rates(self.by_year),
        }


__all__ = [
    "NOT_CHECKED",
    "VERDICTS",
    "AuditRecord",
    "AuditSummary",
    "AuditVerdict",
    "Outcome",
    "VerdictInfo",
    "outcome_of",
]
