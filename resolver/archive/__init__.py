"""Archiving what an article cites: WARC, readable copies, manifest, verification.

`resolver.archive(...)` is the library call (`resolver.archive.api.archive`), and
`resolver.archive` is also this package: once any of its modules is imported
(`import resolver.archive.verify`), Python makes the package the `archive` attribute of
`resolver`, in place of the function. So the package itself is callable, and calls the function.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from resolver.archive.api import archive

        return archive(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
