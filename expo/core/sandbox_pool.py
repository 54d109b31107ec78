"""Warm worker processes that fill user document templates, each with a memory limit and a deadline.

A template runs in a child process (``expo/core/document_sandbox.py``) so that whatever it does —
loop for minutes, grow memory — it cannot hold the web process's interpreter (the GIL) or its
memory: past ``timeout`` seconds the parent kills the child, past ``memory_mb`` the child's own
address-space limit stops it. Starting a child costs about a tenth of a second, so each web or
worker process keeps up to ``size`` of them warm and reuses them; a child that was killed or ran
out of memory is replaced. Works the same under the Flask dev server (threads share the pool),
gunicorn (each forked worker makes its own pool: the pool is per process id) and RQ work horses.
"""
from __future__ import annotations

import atexit
import json
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("document_sandbox.py")


class TemplateLimit(Exception):
    """The template was stopped: ``kind`` is timeout, memory, output, limit or failed — or never
    started: ``busy`` (every worker taken for longer than the template's own time limit)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


class _Worker:
    def __init__(self, memory_mb: int):
        # -I: no user site, no PYTHON* variables, no current directory on sys.path.
        self.process = subprocess.Popen([sys.executable, "-I", str(SCRIPT), str(memory_mb)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)

    def fill(self, template: str, context: dict, deadline: float) -> dict:
        payload = pickle.dumps((template, context))
        self.process.stdin.write(len(payload).to_bytes(4, "big") + payload)
        self.process.stdin.flush()
        size = int.from_bytes(self._read(4, deadline), "big")
        return json.loads(self._read(size, deadline))

    def _read(self, count: int, deadline: float) -> bytes:
        data = b""
        fd = self.process.stdout.fileno()
        while len(data) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError()
            chunk = os.read(fd, count - len(data))
            if not chunk:
                raise EOFError()  # the child died (killed by the kernel, or its memory limit)
            data += chunk
        return data

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()


class Pool:
    def __init__(self, size: int, memory_mb: int):
        self.size, self.memory_mb = size, memory_mb
        self.idle: list[_Worker] = []
        self.busy = 0
        self.lock = threading.Condition()

    def _take(self, wait: float) -> _Worker:
        """A warm worker, or a new one while fewer than ``size`` are busy; waits at most ``wait``
        seconds for one to come free (a queue of runaway templates must not hold every request)."""
        deadline = time.monotonic() + wait
        with self.lock:
            while not self.idle and self.busy >= self.size:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TemplateLimit("busy")
                self.lock.wait(remaining)
            self.busy += 1
            if self.idle:
                return self.idle.pop()
        try:
            return _Worker(self.memory_mb)
        except BaseException:
            self._give_back(None)
            raise

    def _give_back(self, worker: _Worker | None) -> None:
        with self.lock:
            self.busy -= 1
            if worker is not None:
                self.idle.append(worker)
            self.lock.notify()

    def fill(self, template: str, context: dict, timeout: float) -> str:
        worker = self._take(wait=timeout)
        try:
            reply = worker.fill(template, context, time.monotonic() + timeout)
        except TimeoutError:
            worker.stop()
            self._give_back(None)
            raise TemplateLimit("timeout") from None
        except (EOFError, BrokenPipeError, ValueError):
            worker.stop()
            self._give_back(None)
            raise TemplateLimit("memory") from None
        self._give_back(worker if worker.alive() and reply.get("error") != "memory" else None)
        if "error" in reply:
            raise TemplateLimit(reply["error"], reply.get("detail", ""))
        return reply["text"]

    def close(self) -> None:
        with self.lock:
            workers, self.idle = self.idle, []
        for worker in workers:
            worker.stop()


_pools: dict[tuple, Pool] = {}
_pools_lock = threading.Lock()


def fill(template: str, context: dict, timeout: float, memory_mb: int, size: int) -> str:
    """Fill ``template`` with ``context`` in a sandboxed worker; raises :class:`TemplateLimit`."""
    key = (os.getpid(), size, memory_mb)  # a forked process (gunicorn, RQ) never uses its parent's children
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = Pool(size, memory_mb)
    return pool.fill(template, context, timeout)


@atexit.register
def _close_all() -> None:
    for (pid, *_rest), pool in list(_pools.items()):
        if pid == os.getpid():
            pool.close()
