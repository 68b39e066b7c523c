"""Certificates for the local web: one test CA, a leaf per host minted on first use.

The CA's PEM goes to a file so that clients trust it the way users trust a corporate CA:
`SSL_CERT_FILE=ca.pem` or `verify=ssl.create_default_context(cafile=ca.pem)`.
A second CA, never written anywhere a client looks, issues the untrusted certificates.
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from pathlib import Path

import trustme

from tests.web.model import TlsFault

#: The name on the certificate a WRONG_NAME host presents.
WRONG_NAME = "wrong-name.invalid"


class CertStore:
    """Server-side SSLContexts per (host, fault), made once and cached (thread-safe)."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA(organization_name="resolver test web")
        self._rogue_ca = trustme.CA(organization_name="an untrusted CA")
        directory.mkdir(parents=True, exist_ok=True)
        self.ca_path = directory / "resolver-test-web-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self._contexts: dict[tuple[str, TlsFault | None], ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def client_context(self) -> ssl.SSLContext:
        """What a client that trusts the test CA uses (httpx `verify=`)."""
        return ssl.create_default_context(cafile=str(self.ca_path))

    def server_context(self, host: str, fault: TlsFault | None = None) -> ssl.SSLContext:
        key = (host, fault)
        context = self._contexts.get(key)
        if context is None:
            with self._lock:
                context = self._contexts.get(key)
                if context is None:
                    context = self._make(host, fault)
                    self._contexts[key] = context
        return context

    def _make(self, host: str, fault: TlsFault | None) -> ssl.SSLContext:
        if fault is TlsFault.UNTRUSTED:
            leaf = self._rogue_ca.issue_cert(host)
        elif fault is TlsFault.WRONG_NAME:
            leaf = self.ca.issue_cert(WRONG_NAME)
        elif fault is TlsFault.EXPIRED:
            now = dt.datetime.now(dt.UTC)
            leaf = self.ca.issue_cert(
                host, not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=35)
            )
        else:
            leaf = self.ca.issue_cert(host)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        # Only HTTP/1.1 is played; say so in ALPN, as an HTTP/1.1-only origin would.
        context.set_alpn_protocols(["http/1.1"])
        leaf.configure_cert(context)
        return context
