"""Shared fixtures.

The local web (tests/web/, see its README.md): one proxy server per session, a clean layer of
routes and an empty request log per test.

- `web_server`: the running `WebServer` (session).
- `web`: its `Web` registry, with `proxy_url`, `ca_path` and `ssl_context()` (session). Add
  routes through `local_web`, not here, unless they are meant for the whole session.
- `local_web`: the same `Web` with a fresh layer of routes and an empty log (per test).
- `proxy_env`: the process environment of a user behind that proxy (per test): HTTP(S)_PROXY
  in both cases, SSL_CERT_FILE, and no NO_PROXY / ALL_PROXY / other `*_proxy` variables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.web.scenarios import Web
from tests.web.server import WebServer
from tests.web.twitter import TwitterWeb, install_twitter


@pytest.fixture(scope="session", autouse=True)
def _own_state_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The audit's journals (and any other run state) go to the session's folder, never home."""
    os.environ["RESOLVER_STATE"] = str(tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = WebServer(Web(), tmp_path_factory.mktemp("web")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def web(web_server: WebServer) -> Web:
    return web_server.web


@pytest.fixture
def local_web(web_server: WebServer) -> Iterator[Web]:
    registry = web_server.web
    defaults = (registry.latency, registry.connect_latency, registry.flavour)
    registry.reset_log()
    registry.push()
    try:
        yield registry
    finally:
        registry.pop()
        registry.reset_log()
        registry.latency, registry.connect_latency, registry.flavour = defaults
        handler_errors, registry.errors[:] = list(registry.errors), []
        loop_errors, web_server.loop_errors[:] = list(web_server.loop_errors), []
    if handler_errors or loop_errors:
        pytest.fail(f"the local web broke: handlers raised {handler_errors!r}; server loop: {loop_errors!r}")


@pytest.fixture
def proxy_env(web: Web, monkeypatch: pytest.MonkeyPatch) -> Web:
    # urllib.request.getproxies() (which httpx reads) takes every `*_proxy` variable in any
    # case, lower case winning; clear them all so nothing bypasses or replaces the test proxy.
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == "SSL_CERT_DIR":
            monkeypatch.delenv(name)
    assert web.proxy_url is not None and web.ca_path is not None
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, web.proxy_url)
    monkeypatch.setenv("SSL_CERT_FILE", str(web.ca_path))
    return web


@pytest.fixture
def twitter_web(local_web: Web) -> TwitterWeb:
    """Twitter's public endpoints, two mirrors and the Wayback Machine (tests/web/twitter.py),
    fresh for this test, on the per-test layer of `local_web`."""
    return install_twitter(local_web)
