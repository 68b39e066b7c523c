"""Refusing targets on loopback, private, link-local and multicast addresses (SSRF guard).

A link in an article must not make the tool probe the reader's own network: a shortener can
point at `http://192.168.1.1/` or `http://localhost:8080/admin`. Every hop is checked, not
only the first. Direct connections resolve the name and check every address; behind a proxy
(which resolves names itself) the guard checks what it can see without resolving: IP
literals and local names. `--allow-private` turns it off (the tests' web lives on loopback).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket

#: Names that only ever mean "this machine" or "this network" (RFC 6761, RFC 6762, RFC 8375,
#: and the suffixes home routers and clouds hand out).
LOCAL_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "broadcasthost"}
)
LOCAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".localdomain",
    ".internal",
    ".intranet",
    ".lan",
    ".home",
    ".home.arpa",
    ".corp",
    ".private",
)


def address_problem(address: str) -> str | None:
    """Why `address` (an IP literal, brackets allowed) must not be fetched; None if it may."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, what in (
        (ip.is_loopback, "a loopback"),
        (ip.is_link_local, "a link-local"),
        (ip.is_multicast, "a multicast"),
        (ip.is_unspecified, "an unspecified"),
        (ip.is_private, "a private"),
        (ip.is_reserved, "a reserved"),
    ):
        if test:
            return f"{ip} is {what} address"
    # 100.64.0.0/10 (carrier-grade NAT) is not "private" to ipaddress, but is not public either.
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED_SPACE:
        return f"{ip} is a shared (carrier-grade NAT) address"
    return None


_SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def name_problem(host: str) -> str | None:
    """Why the name `host` must not be fetched without resolving it; None if it may be."""
    name = host.lower().rstrip(".")
    if is_ip_literal(name):
        return address_problem(name)
    if name in LOCAL_NAMES or name.endswith(LOCAL_SUFFIXES):
        return f"{host} is a local name"
    # Decimal, octal and hex spellings of an IPv4 address ("2130706433", "0177.0.0.1",
    # "0x7f.1") are addresses to browsers (the URL Standard's IPv4 parser) and to resolvers
    # (inet_aton): judge the address they spell. One that spells none (a part too large) is
    # refused all the same: what a proxy would make of it cannot be known.
    if all(_NUMERIC_PART_RE.fullmatch(part) for part in name.split(".")):
        ip = numeric_ipv4(name)
        if ip is None:
            return f"{host} looks like a numeric address"
        problem = address_problem(str(ip))
        if problem is None:
            return None
        address, _, what = problem.partition(" is ")
        return f"{host} is {address}, {what}"
    if "." not in name:
        return f"{host} is a single-label (intranet) name"
    return None


_NUMERIC_PART_RE = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")


def numeric_ipv4(name: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host of 1 to 4 numbers spells, as the URL Standard's IPv4 parser
    reads it (each part decimal, `0`-prefixed octal or `0x` hex; the last part fills the
    remaining bytes: "127.1" is 127.0.0.1, "2130706433" too); None if it spells none."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        if part[:2] in ("0x", "0X"):
            digits, base = part[2:] or "0", 16
        elif len(part) > 1 and part.startswith("0"):
            digits, base = part[1:], 8
        else:
            digits, base = part, 10
        try:
            numbers.append(int(digits, base))
        except ValueError:  # "08": not octal
            return None
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(leading):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


async def resolved_problem(host: str, port: int) -> str | None:
    """Resolve `host` and check every address; raises socket.gaierror if it does not resolve."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        problem = address_problem(str(info[4][0]))
        if problem:
            address, _, what = problem.partition(" is ")
            return f"{host} resolves to {address}, {what}"
    return None


__all__ = [
    "LOCAL_NAMES",
    "LOCAL_SUFFIXES",
    "address_problem",
    "is_ip_literal",
    "name_problem",
    "numeric_ipv4",
    "resolved_problem",
]


#: Names any working resolver knows: when none of them resolves either, a name that "does not
#: resolve" says nothing of the link (the machine is offline, or its DNS is broken).
DNS_CANARIES = ("example.com", "iana.org", "wikipedia.org")


async def any_resolves(names: tuple[str, ...] = DNS_CANARIES, timeout: float = 5.0) -> bool:
    """Whether any of `names` resolves here (each asked at once, `timeout` seconds at most)."""
    loop = asyncio.get_running_loop()

    async def one(name: str) -> bool:
        try:
            await asyncio.wait_for(loop.getaddrinfo(name, 443, type=socket.SOCK_STREAM), timeout)
        except (OSError, TimeoutError, UnicodeError):
            return False
        return True

    return any(await asyncio.gather(*(one(name) for name in names)))
