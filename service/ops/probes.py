"""Dependency checks run side by side against one deadline, so that a probe answers in time
even when a dependency hangs (a database on a dead TCP peer, a blob store that stalls)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, wait

# Checks of one dependency that may hang at once; past this, a probe waits on the latest one
# instead of starting another, so a dependency that hangs costs a few threads, not one a probe.
MAX_PENDING = 3


class Probes:
    """Runs named checks concurrently, each in a thread that is abandoned at the deadline.

    Every probe starts fresh checks, so that a dependency is reported ready as soon as it
    answers again, unless ``MAX_PENDING`` earlier checks of it are still hanging.
    """

    def __init__(self) -> None:
        self._pending: dict[str, list[Future[None]]] = {}
        self._lock = threading.Lock()

    def run(
        self,
        checks: Mapping[str, Callable[[], None]],
        timeout: float,
        describe: Callable[[BaseException], str],
    ) -> dict[str, str]:
        """``ok`` per check that returned within ``timeout`` seconds, else why not."""
        futures = {name: self._start(name, check) for name, check in checks.items()}
        wait(futures.values(), timeout=timeout)
        return {name: _verdict(future, timeout, describe) for name, future in futures.items()}

    def _start(self, name: str, check: Callable[[], None]) -> Future[None]:
        with self._lock:
            pending = [future for future in self._pending.get(name, []) if not future.done()]
            if len(pending) >= MAX_PENDING:
                self._pending[name] = pending
                return pending[-1]
            future: Future[None] = Future()
            self._pending[name] = [*pending, future]
        thread = threading.Thread(
            target=_run, args=(check, future), name=f"probe-{name}", daemon=True
        )
        thread.start()
        return future


def _run(check: Callable[[], None], future: Future[None]) -> None:
    try:
        check()
    except BaseException as error:  # reported as the check's verdict, never lost
        future.set_exception(error)
    else:
        future.set_result(None)


def _verdict(future: Future[None], timeout: float, describe: Callable[[BaseException], str]) -> str:
    if not future.done():
        return f"unavailable: too slow (no answer within {timeout:g} s)"
    error = future.exception()
    return "ok" if error is None else f"unavailable: {describe(error)}"
