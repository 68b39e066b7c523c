"""The local web: a proxy on loopback that plays the parts of the internet resolver meets.

See README.md beside this file. The public API:

- `Web` (scenarios.py): the registry of routes and the request log; its helpers play
  behaviours (`redirect`, `tco`, `rate_limited`, `stall`, `gzip_bomb`, ...).
- `Request`, `Response`, `Stream`, `Headers`, `Fault`, `Upstream`, `TlsFault`,
  `ProxyFlavour` (model.py): the data routes are made of.
- `WebServer` (server.py): runs the proxy in a background thread; `ProxyServer` is the
  asyncio server itself.
"""

from tests.web.model import Fault, Headers, ProxyFlavour, Request, Response, Stream, TlsFault, Upstream
from tests.web.scenarios import SCENARIOS, HeadPolicy, Scripted, Web
from tests.web.server import ProxyServer, WebServer

__all__ = [
    "SCENARIOS",
    "Fault",
    "HeadPolicy",
    "Headers",
    "ProxyFlavour",
    "ProxyServer",
    "Request",
    "Response",
    "Scripted",
    "Stream",
    "TlsFault",
    "Upstream",
    "Web",
    "WebServer",
]
