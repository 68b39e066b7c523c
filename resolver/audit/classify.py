"""From what the network said to an audit verdict, with its evidence (pure: no I/O here).

Two tables and one function. `EXPANSION_VERDICTS` maps the expansion engine's slugs (what
happened on the wire) to audit verdicts; `TWEET_VERDICTS` maps a tweet's fate. `classify`
then looks, for a chain that ended on a page, at what the page says (`signals.py`): parked,
a bot wall, "not found" in its title or headings, a deep link sent to the home page or a
login page, or the same page as a random sibling URL gets (soft-404), a permanent redirect
to another page (moved), else alive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from urllib.parse import urlsplit

from resolver.audit.model import AuditVerdict
from resolver.audit.signals import (
    PageFacts,
    bot_wall_evidence,
    not_found_evidence,
    parked_evidence,
    redirected_home,
    redirected_to_error_page,
    redirected_to_login,
    redirected_to_paywall,
)
from resolver.expander.verdicts import Verdict
from resolver.models import Expansion, TweetState
from resolver.rules import host_of, is_shortener_host

#: The engine's verdict (what happened on the wire) -> the audit's, when it settles the matter.
#: `ok` is not here: a page that answers is looked at (`classify`).
EXPANSION_VERDICTS: Mapping[Verdict, AuditVerdict] = MappingProxyType(
    {
        Verdict.HTTP_404: AuditVerdict.DEAD,
        Verdict.HTTP_410: AuditVerdict.DEAD,
        Verdict.DNS_FAILURE: AuditVerdict.DEAD,
        Verdict.INVALID_URL: AuditVerdict.DEAD,
        # A chain that ends on ftp:, mailto: or an app's scheme (intent:, itms-apps:) ends where
        # HTTP cannot follow: what is there was not checked, so it is not known to be dead.
        Verdict.NON_HTTP_TARGET: AuditVerdict.UNSUPPORTED,
        Verdict.HTTP_4XX: AuditVerdict.DEAD,  # 400, 405, 414...: the link as written does not work
        Verdict.HTTP_401: AuditVerdict.BLOCKED,
        Verdict.HTTP_403: AuditVerdict.BLOCKED,
        Verdict.HTTP_451: AuditVerdict.BLOCKED,  # withheld for legal reasons: there, not for us
        Verdict.RATE_LIMITED: AuditVerdict.BLOCKED,
        # Sites that loop a client without cookies or JavaScript are walls, not dead pages.
        Verdict.REDIRECT_LOOP: AuditVerdict.BLOCKED,
        Verdict.TOO_MANY_REDIRECTS: AuditVerdict.BLOCKED,
        Verdict.HTTP_5XX: AuditVerdict.SERVER_ERROR,
        Verdict.TIMEOUT: AuditVerdict.TIMEOUT,
        Verdict.CONNECT_REFUSED: AuditVerdict.UNREACHABLE,
        Verdict.CONNECT_FAILED: AuditVerdict.UNREACHABLE,
        Verdict.CONNECTION_RESET: AuditVerdict.UNREACHABLE,
        Verdict.TLS_ERROR: AuditVerdict.UNREACHABLE,
        Verdict.PROXY_ERROR: AuditVerdict.UNREACHABLE,
        Verdict.PROTOCOL_ERROR: AuditVerdict.UNREACHABLE,
        Verdict.INTERNAL_ERROR: AuditVerdict.UNREACHABLE,
        Verdict.BLOCKED_PRIVATE_ADDRESS: AuditVerdict.EXCLUDED,  # not fetched, by the guard's rule
        Verdict.BODY_TOO_LARGE: AuditVerdict.ALIVE,  # it answered, with a lot
    }
)

#: A tweet's fate -> the audit's verdict.
TWEET_VERDICTS: Mapping[TweetState, AuditVerdict] = MappingProxyType(
    {
        TweetState.AVAILABLE: AuditVerdict.ALIVE,
        TweetState.DELETED: AuditVerdict.TWEET_DELETED,
        TweetState.SUSPENDED: AuditVerdict.ACCOUNT_SUSPENDED,
        TweetState.PROTECTED: AuditVerdict.TWEET_PROTECTED,
        TweetState.WITHHELD: AuditVerdict.TWEET_WITHHELD,
        TweetState.AGE_RESTRICTED: AuditVerdict.BLOCKED,
        TweetState.UNAVAILABLE: AuditVerdict.UNREACHABLE,
        TweetState.UNIDENTIFIED: AuditVerdict.UNREACHABLE,
    }
)

#: Error answers whose page is looked at for a bot wall (a 404 or 410 is dead whatever it says).
WALL_STATUSES = frozenset({Verdict.HTTP_4XX, Verdict.HTTP_5XX, Verdict.HTTP_401, Verdict.HTTP_403})

#: Statuses of a permanent redirect (RFC 9110 §15.4.2, RFC 7538).
PERMANENT = frozenset({301, 308})


def classify(
    expansion: Expansion,
    facts: PageFacts | None,
    *,
    sibling_similarity: float | None = None,
    earlier: Sequence[PageFacts] = (),
) -> tuple[AuditVerdict, str]:
    """The verdict on a link whose chain is `expansion`, and the evidence for it.

    `facts` are those of the page the chain ended on (for an error answer too, when it was an
    HTML page); `earlier`, those of pages the chain passed through (a 200 page that relocated
    by meta refresh or script)."""
    verdict = expansion.verdict
    if verdict is not Verdict.OK:
        mapped = EXPANSION_VERDICTS.get(verdict, AuditVerdict.UNREACHABLE)
        if verdict in WALL_STATUSES and facts is not None:
            # Cloudflare and Akamai challenge with 503, AWS WAF's CAPTCHA answers 405,
            # mod_security 406: the page says it is a wall, so nothing is known of the link.
            wall = bot_wall_evidence(facts)
            if wall:
                return AuditVerdict.BLOCKED, f"HTTP {expansion.http_status}, {wall}"
        # A link not checked says so first, as the audit's own `unsupported` links do.
        prefix = "not checked: " if mapped is AuditVerdict.UNSUPPORTED else ""
        return mapped, f"{prefix}{verdict.value}: {expansion.reason}"
    url = expansion.url
    final = expansion.final_url or url
    if facts is not None:
        for check, found in (
            (parked_evidence, AuditVerdict.PARKED),
            (bot_wall_evidence, AuditVerdict.BLOCKED),
        ):
            evidence = check(facts)
            if evidence:
                return found, evidence
    for passed in earlier:
        # A parking lander that sends the browser on by script (Bodis: `location.href =
        # "/lander"`) is known by the page it relocates from, not by where it lands.
        evidence = parked_evidence(passed)
        if evidence:
            return AuditVerdict.PARKED, evidence
    home = _sent_home(expansion, final) if len(expansion.hops) > 1 else None
    if home:
        return AuditVerdict.SOFT_404, home
    login = redirected_to_login(final) if len(expansion.hops) > 1 else None
    if login:
        return AuditVerdict.SOFT_404, login
    paywall = redirected_to_paywall(url, final) if len(expansion.hops) > 1 else None
    if paywall:
        return AuditVerdict.BLOCKED, paywall  # there for subscribers, maybe: not known dead
    error_page = redirected_to_error_page(url, final) if len(expansion.hops) > 1 else None
    if error_page:
        return AuditVerdict.SOFT_404, error_page
    if facts is not None:
        evidence = not_found_evidence(facts)
        if evidence:
            return AuditVerdict.SOFT_404, evidence
    if sibling_similarity is not None and sibling_similarity >= SIBLING_THRESHOLD:
        return (
            AuditVerdict.SOFT_404,
            f"the page is the one a random URL of the same site gets (similarity {sibling_similarity:.2f})",
        )
    moved = _moved(expansion)
    if moved:
        return AuditVerdict.MOVED, moved
    status = expansion.http_status
    return AuditVerdict.ALIVE, f"HTTP {status}" if status else "answered"


#: Text similarity from which a page counts as the site's catch-all page.
SIBLING_THRESHOLD = 0.9


def _sent_home(expansion: Expansion, final: str) -> str | None:
    """Evidence that the page cited now ends on a home page: its site's, or, through a permanent
    redirect, another site's (a domain sold or merged, its deep links all sent to the new
    owner's front page). The page cited is the first hop past the shorteners: a short link
    leads to a deep page by design, and it is that page that now ends on a home page."""
    hops = expansion.hops
    start = next((i for i, hop in enumerate(hops) if not is_shortener_host(host_of(hop.url))), 0)
    origin = hops[start].url if hops else expansion.url
    home = redirected_home(origin, final)
    if home or not any(hop.status in PERMANENT for hop in hops[start:]):
        return home
    # Another site: the same question asked as if the home page were the origin's own.
    try:
        there, here = urlsplit(final), urlsplit(origin)
    except ValueError:
        return None
    if not there.netloc or host_of(origin) == host_of(final):
        return None
    if redirected_home(origin, there._replace(netloc=here.netloc).geturl()) is None:
        return None
    return f"deep link sent to another site's home page: {final}"


def _moved(expansion: Expansion) -> str | None:
    """A permanent redirect to a different page (not merely http -> https, `www.` or a slash)."""
    hops = expansion.hops
    if len(hops) < 2 or hops[0].status not in PERMANENT:
        return None
    if is_shortener_host(host_of(expansion.url)):
        return None  # a short link redirects by design: where it leads is alive, nothing to repoint
    final = expansion.final_url or ""
    if _same_page(expansion.url, final):
        return None
    return f"{hops[0].status} to {final}"


def _same_page(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    host_a = (pa.hostname or "").removeprefix("www.")
    host_b = (pb.hostname or "").removeprefix("www.")
    return host_a == host_b and pa.path.rstrip("/") == pb.path.rstrip("/") and pa.query == pb.query


__all__ = [
    "EXPANSION_VERDICTS",
    "PERMANENT",
    "SIBLING_THRESHOLD",
    "TWEET_VERDICTS",
    "WALL_STATUSES",
    "classify",
]
