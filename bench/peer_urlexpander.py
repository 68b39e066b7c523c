"""Run urlexpander (a peer) over URLs read from stdin; write one JSON object per URL.

    bench/.venv-peers/bin/python bench/peer_urlexpander.py --workers 64 < urls.txt > out.jsonl

Run by the peers' virtual environment (`bench/setup_peers.sh`), never by the project's.
urlexpander fetches with `requests`, which reads `HTTP_PROXY` from the environment; it has
no per-host limit, only a total (`n_workers` threads per chunk of `chunksize` links).

One change to its behaviour, none to its fetching: tldextract (which urlexpander calls to
name each final domain) would download the public suffix list on first use; here it reads
the snapshot it ships instead, so no request leaves for publicsuffix.org.

Output: `{"url": ..., "final_url": ...}` per input line, in input order. For a link that
fails (4xx, 5xx, network error) urlexpander returns a made-up
`http://DOMAIN/__CLIENT_ERROR__` or `__CONNECTIONPOOL_ERROR__` URL, kept as it is.
"""

from __future__ import annotations

import argparse
import json
import sys

import tldextract
import urlexpander
from urlexpander.core import api


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=64, help="n_workers (threads)")
    parser.add_argument("--chunksize", type=int, default=1280, help="chunksize (its default: 1280)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per link (its default: 2)")
    parser.add_argument("--get", action="store_true", help="GET instead of its default HEAD")
    args = parser.parse_args()

    api.tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    urls = [line.strip() for line in sys.stdin if line.strip()]
    finals = urlexpander.expand(
        urls,
        n_workers=args.workers,
        chunksize=args.chunksize,
        timeout=args.timeout,
        use_head=not args.get,
    )
    out = sys.stdout
    for url, final in zip(urls, finals, strict=True):
        out.write(json.dumps({"url": url, "final_url": final}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
