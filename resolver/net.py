"""The network edge: every HTTP request the tool makes is built here.

One factory makes the clients, so proxies (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`,
`--proxy`), the CA bundle (`SSL_CERT_FILE`, `--ca-bundle`), the user agent and the
timeouts are decided in one place, and the tests reach the same code path through a
proxy on loopback that plays the web.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx

from resolver import __version__
from resolver.errors import FetchError

PROJECT_URL = "https://pypi.org/project/resolver/"
#: Honest by default: say who we are and where to read about us. Overridable.
DEFAULT_USER_AGENT = f"resolver/{__version__} (+{PROJECT_URL})"


@dataclass(frozen=True, slots=True)
class NetConfig:
    """How to reach the web. `None` fields defer to the environment, as curl does."""

    proxy: str | None = None
    ca_bundle: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    connect_timeout: float = 10.0


def _verify(config: NetConfig) -> str | bool:
    # httpx reads SSL_CERT_FILE only through trust_env on some versions; resolve it here
    # so that the behaviour does not depend on the installed httpx.
    bundle = config.ca_bundle or os.environ.get("SSL_CERT_FILE")
    return bundle if bundle else True


def make_client(config: NetConfig | None = None) -> httpx.Client:
    """A synchronous client configured for the user's network (proxy, CA, agent, timeouts)."""
    config = config or NetConfig()
    return httpx.Client(
        proxy=config.proxy,
        verify=_verify(config),
        trust_env=True,
        follow_redirects=True,
        max_redirects=20,
        headers={"User-Agent": config.user_agent},
        timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
    )


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  #: the final URL after redirects
    status: int
    content_type: str | None
    body: bytes


def fetch_article(
    url: str, *, max_size: int, timeout: float = 30.0, config: NetConfig | None = None
) -> Fetched:
    """GET an article page, streaming it and refusing bodies over `max_size`."""
    config = config or NetConfig(timeout=timeout)
    try:
        with make_client(config) as client, client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_size:
                    raise FetchError(
                        url, f"body is over the {max_size // (1024 * 1024)} MB limit (--max-size)"
                    )
                chunks.append(chunk)
            return Fetched(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                body=b"".join(chunks),
            )
    except FetchError:
        raise
    except httpx.TimeoutException:
        raise FetchError(url, f"timed out after {config.timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError(url, "too many redirects") from None
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(url, f"cannot fetch: {exc or type(exc).__name__}") from None
    except ValueError as exc:  # malformed URLs that httpx rejects before any request
        raise FetchError(url, f"invalid URL: {exc}") from None
