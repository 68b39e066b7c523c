"""Worker processes end with the run that started them, however it ends."""

from __future__ import annotations

import os
import sys
import threading
import time


def die_with_parent(parent: int) -> None:
    """For a worker that `parent` started itself (fork, spawn): end with it.

    A SIGKILLed run (the OOM killer, a scheduler's hard kill) gives a pool no chance to stop
    its workers: a scan's would each print a BrokenPipeError traceback on the user's terminal
    as they hand back their next result, an expansion's would go on fetching for nobody. On
    Linux the kernel kills them with the parent (PR_SET_PDEATHSIG); elsewhere they end at their
    next exchange with it, as before.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def exit_with_parent(parent: int) -> None:
    """For a worker a forkserver started: end as soon as the run's process `parent` is gone.

    A SIGKILL (the OOM killer, a scheduler's hard kill) gives the pool no chance to stop its
    workers. They would wait forever on a call queue whose write end they hold themselves,
    keeping the forkserver alive, and all of them keep the killed process's stdout and stderr
    open: `resolver archive ... | tee log`, or a caller reading its output, never sees EOF and
    hangs. The workers are the forkserver's children, not `parent`'s, so PR_SET_PDEATHSIG
    cannot help; a pidfd becomes readable when the process ends (a zombie not yet reaped
    included); without one (Linux < 5.3, other POSIX systems), its PID is polled each second.
    """

    def watch() -> None:
        try:
            fd = os.pidfd_open(parent)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            import select

            select.select([fd], [], [])
        else:
            while True:
                time.sleep(1.0)
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    break
                except OSError:
                    pass  # alive, under another user (the PID was reused): keep watching
        os._exit(1)  # no cleanup to do: the run's files are committed by the parent only

    threading.Thread(target=watch, name="resolver-parent-watch", daemon=True).start()


__all__ = ["die_with_parent", "exit_with_parent"]
