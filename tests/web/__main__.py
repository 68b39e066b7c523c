"""Run the local web on its own, for benchmarks and demos.

    python -m tests.web --port 8899 --latency-ms 50 --scenario bench

It prints the proxy URL, the CA file and the environment to export, then serves until
Ctrl-C (or SIGTERM). Scenarios: see `tests.web.scenarios.SCENARIOS`.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import tempfile
import threading
from pathlib import Path

from tests.web.model import ProxyFlavour
from tests.web.scenarios import SCENARIOS, Web
from tests.web.server import WebServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.web", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=int, default=8899, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before every response")
    parser.add_argument("--connect-latency-ms", type=float, default=0.0, help="delay before CONNECT answers")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="demo")
    parser.add_argument(
        "--flavour", choices=[f.value for f in ProxyFlavour], default=ProxyFlavour.MITMPROXY.value
    )
    parser.add_argument("--state-dir", type=Path, help="where the CA file goes (default: a new temp dir)")
    args = parser.parse_args(argv)

    # A bounded log: a long benchmark must not grow without end (counters stay exact).
    web = Web(latency=args.latency_ms / 1000, flavour=ProxyFlavour(args.flavour), log_limit=100_000)
    web.connect_latency = args.connect_latency_ms / 1000
    SCENARIOS[args.scenario](web)
    directory = args.state_dir or Path(tempfile.mkdtemp(prefix="resolver-web-"))
    server = WebServer(web, directory, host=args.host, port=args.port).start()
    print(f"resolver test web ({args.scenario}) listening as a proxy at {server.proxy_url}")
    print(f"CA certificate: {server.ca_path}")
    print("export:")
    for name, value in server.env().items():
        print(f"  export {name}={shlex.quote(value)}")
    print("  unset NO_PROXY no_proxy ALL_PROXY all_proxy")
    sys.stdout.flush()

    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()
    print(f"served {web.count()} requests, {web.count_connects()} CONNECT tunnels")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
