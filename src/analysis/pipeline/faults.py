"""Faults while notebooks run: Ctrl-C and SIGTERM stop promptly, one job per wave at a time.

- :func:`terminate_as_interrupt` turns SIGTERM into :class:`Terminated` (a
  :class:`KeyboardInterrupt`), so ``finally`` blocks clean up after ``kill PID`` exactly as after
  Ctrl-C: no half-written or zero-byte file is left behind.
- Every kernel the pipeline or the report starts is registered (:func:`kernel_manager_class`);
  :func:`kill_kernels` kills them all at once (each kernel runs in its own session, so its whole
  process group is killed). A notebook whose kernel dies stops within about a second
  (nbclient polls the kernel once a second).
- :func:`wave_lock` takes an exclusive ``fcntl.flock`` lock per wave and job (``run``, or one
  report) on a file under ``reports/WAVE/``; a second job on the same wave is refused at once in
  one line (:class:`~analysis.errors.UserError`, exit 2). The lock goes with the process: a
  killed job never leaves a stale lock.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with wave_lock("w1", "run", root=root):
...     try:
...         with wave_lock("w1", "run", root=root):
...             pass
...     except UserError as exc:
...         print(str(exc).split(";")[0])
another 'run' of wave 'w1' is in progress (lock reports/w1/.run.lock)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import UserError


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: handled like Ctrl-C (clean up, keep finished outputs), exit status 143."""

    exit_code = 143


def _raise_terminated(signum, frame):  # noqa: ARG001 - signal handler signature
    raise Terminated()


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread (like Ctrl-C).

    Outside the main thread (where signal handlers cannot be set) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


# ---------------------------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------------------------

_KERNELS: weakref.WeakSet = weakref.WeakSet()
_KERNELS_LOCK = threading.Lock()
_KM_CLASS = None


def kernel_manager_class():
    """An ``AsyncKernelManager`` that registers itself so :func:`kill_kernels` can find it."""
    global _KM_CLASS
    if _KM_CLASS is None:
        from jupyter_client.manager import AsyncKernelManager

        class TrackedKernelManager(AsyncKernelManager):
            """A kernel manager :func:`analysis.pipeline.faults.kill_kernels` can stop."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                with _KERNELS_LOCK:
                    _KERNELS.add(self)

        _KM_CLASS = TrackedKernelManager
    return _KM_CLASS


def kill_kernels(sig: int = signal.SIGKILL) -> int:
    """Kill every live kernel this process started through :func:`kernel_manager_class`.

    Returns the number of kernels signalled. Safe to call from any thread, repeatedly.
    """
    with _KERNELS_LOCK:
        managers = list(_KERNELS)
    n = 0
    for km in managers:
        prov = getattr(km, "provisioner", None)
        pid = getattr(prov, "pid", None)
        process = getattr(prov, "process", None)
        if not pid or process is None or process.poll() is not None:
            continue
        with contextlib.suppress(OSError):
            # the kernel leads its own session (jupyter_client starts it with start_new_session)
            if os.getpgid(pid) == pid:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)
            n += 1
    return n


def stop_futures(futures, timeout: float = 5.0) -> None:
    """After an interrupt: kill running kernels until the notebook threads of ``futures`` end.

    Queued futures should be cancelled first (``pool.shutdown(wait=False,
    cancel_futures=True)``). Kernels are killed again each round, as one may have been starting
    the round before; gives up after ``timeout`` seconds.
    """
    import logging
    import time
    from concurrent.futures import wait

    # nbclient logs "Kernel died while waiting for execute reply." through papermill's logger
    # for every killed kernel: expected here, so kept off the terminal (one line: "interrupted")
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    deadline = time.monotonic() + timeout
    pending = [f for f in futures if not f.done()]
    # kill, never interrupt (SIGINT): an interrupted kernel is shut down gracefully by nbclient,
    # which sometimes waits its full shutdown time; a killed one ends the notebook at once
    while pending and time.monotonic() < deadline:
        kill_kernels()
        wait(pending, timeout=0.1)
        pending = [f for f in pending if not f.done()]


# ---------------------------------------------------------------------------------------------
# one job per wave
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def wave_lock(wave: str, job: str, *, root: str | Path | None = None) -> Iterator[Path]:
    """Hold an exclusive lock on ``reports/WAVE/.JOB.lock`` for the block.

    Parameters
    ----------
    wave : str
        The wave the job writes to.
    job : str
        ``"run"`` or the name of one report output (e.g. ``"report.findings.html"``): jobs with
        different names may run side by side.
    root : path, optional
        Project root (default :func:`analysis.paths.project_root`).

    Raises
    ------
    UserError
        When another process (or another job in this process) holds the lock.
    """
    from analysis.paths import project_root, reports_dir

    root = Path(root) if root is not None else project_root()
    folder = reports_dir(wave, root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{job}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        shown = path.relative_to(root).as_posix()
        raise UserError(
            f"another {job.split('.')[0]!r} of wave {wave!r} is in progress (lock {shown}); "
            "wait for it to finish and try again"
        ) from None
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
