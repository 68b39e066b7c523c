"""The library's audit calls: `resolver.audit_links()` and its async twin.

(Not `resolver.audit()`: `resolver.audit` is this package.) The CLI streams
`auditor.aaudit_iter` instead, one article's records at a time.
"""

from __future__ import annotations

from collections.abc import Iterable

from cache import Store
from resolver.audit.auditor import AuditOptions, aaudit_iter
from resolver.audit.config import AuditConfig
from resolver.audit.model import AuditRecord
from resolver.models import ScanFailure
from resolver.net import NetConfig, run_async


async def aaudit_links(
    inputs: Iterable[str] = (),
    *,
    urls_file: str | None = None,
    options: AuditOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    rules: AuditConfig | None = None,
) -> list[AuditRecord | ScanFailure]:
    """Every link occurrence of the articles (and of `urls_file`), audited, in input order;
    an article that cannot be read is a ScanFailure in its place."""
    results: list[AuditRecord | ScanFailure] = []
    async for item in aaudit_iter(
        inputs, urls_file=urls_file, options=options, config=config, store=store, rules=rules
    ):
        if isinstance(item, ScanFailure):
            results.append(item)
        else:
            results.extend(item)
    return results


def audit_links(
    inputs: Iterable[str] = (),
    *,
    urls_file: str | None = None,
    options: AuditOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    rules: AuditConfig | None = None,
) -> list[AuditRecord | ScanFailure]:
    """Audit the links of articles (files, directories, '-', URLs) or of a list of links."""
    return run_async(
        aaudit_links(inputs, urls_file=urls_file, options=options, config=config, store=store, rules=rules),
        twin="resolver.aaudit_links",
    )


__all__ = ["aaudit_links", "audit_links"]
