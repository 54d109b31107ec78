"""The sandbox user-written document templates are filled in, and the worker process that runs it.

Jinja's ``SandboxedEnvironment`` stops templates reaching Python internals, but not from spending
the machine: ``{{ ((9**99)**99)**99 }}`` holds the CPU, ``'x'|center(50000000)`` or a loop of
``'x' * 100000`` build hundreds of megabytes. So, on top of Jinja's sandbox:

* numbers: a product or power may not exceed ``MAX_INT_BITS`` bits;
* sizes: a string or list built by ``*``, a width, padding or count given to a filter or a string
  method may not exceed ``MAX_WIDTH``; ``replace`` and ``join`` may not build more than ``MAX_SIZE``;
* output: the filled document stops at ``MAX_OUTPUT`` characters.

And what no check catches (a loop that runs for an hour, memory grown in ways no operator shows)
is bounded by where the template runs: a separate worker process (``python document_sandbox.py
MEMORY_MB``) with an address-space limit, killed by its parent past a wall-clock limit
(:mod:`expo.core.sandbox_pool`). See docs/decisions/0016-template-sandbox-limits.md.

This module imports nothing from Expo: the worker process starts it by path, cheaply.
"""
from __future__ import annotations

import json
import os
import pickle
import re
import sys
from string import Formatter

from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_INT_BITS = 1024  # about 300 decimal digits: any amount, date or count a letter needs
MAX_WIDTH = 10_000  # a width, padding or count given to a filter or string method
MAX_SIZE = 100_000  # a string or list one operation builds
MAX_OUTPUT = 500_000  # characters in one filled document

# Filters whose numeric arguments are data, not sizes (``'%d'|format(1500000)``, ``x|default(50000)``).
_DATA_FILTERS = {"format", "default", "d", "int", "float", "sum", "round", "replace", "join"}
_PADDING_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|[0-9]+)?(?:\.(\*|[0-9]+))?")


class OutputTooLong(Exception):
    """The filled document passed ``MAX_OUTPUT`` characters."""


class LimitExceeded(SecurityError):
    """One of the bounds above (Jinja's own SecurityError is for unsafe attributes and calls)."""


def _refuse_big_ints(values) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
            raise LimitExceeded(f"{value} is larger than the allowed {MAX_WIDTH}")


def _check_percent_format(template: str, args) -> None:
    for width, precision in _PERCENT_SPEC.findall(template):
        for number in (width, precision):
            if number == "*":
                _refuse_big_ints(args if isinstance(args, tuple) else (args,))
            elif number and int(number) > MAX_WIDTH:
                raise LimitExceeded(f"a width of {number} is larger than the allowed {MAX_WIDTH}")


def _check_brace_format(template: str) -> None:
    for _literal, _field, spec, _conversion in Formatter().parse(template):
        if spec and "{" in spec:
            raise LimitExceeded("nested replacement fields in a format spec are not allowed")
        for number in re.findall(r"[0-9]+", spec or ""):
            if int(number) > MAX_WIDTH:
                raise LimitExceeded(f"a width of {number} is larger than the allowed {MAX_WIDTH}")


def _check_replace(text, old, new, count=-1) -> None:
    text, old, new = str(text), str(old), str(new)
    found = len(text) + 1 if old == "" else text.count(old)
    if count is not None and count >= 0:
        found = min(found, count)
    if len(text) + found * (len(new) - len(old)) > MAX_SIZE:
        raise LimitExceeded(f"the result would be longer than {MAX_SIZE} characters")


def _bounded_items(items, separator="") -> list:
    """``items`` as a list, refused once joining them would pass ``MAX_SIZE``."""
    out, total = [], 0
    for item in items:
        total += len(str(item)) + len(str(separator))
        if total > MAX_SIZE:
            raise LimitExceeded(f"the result would be longer than {MAX_SIZE} characters")
        out.append(item)
    return out


class DocumentSandbox(SandboxedEnvironment):
    """Jinja's sandbox plus bounds on numbers, sizes and filter arguments (see the module doc)."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self):
        super().__init__(autoescape=False)
        for name, func in list(self.filters.items()):
            self.filters[name] = self._bounded_filter(name, func)

    @staticmethod
    def _bounded_filter(name, func):
        # pass_context / pass_environment filters get that object first; the value comes next.
        at = 1 if hasattr(func, "jinja_pass_arg") else 0

        def bounded(*args, **kwargs):
            value, rest = args[at], args[at + 1:]
            if name not in _DATA_FILTERS:
                _refuse_big_ints([*rest, *kwargs.values()])
            if name == "format" and isinstance(value, str):
                _check_percent_format(value, tuple(rest))
            elif name == "replace" and len(rest) >= 2:
                _check_replace(value, rest[0], rest[1], rest[2] if len(rest) > 2 else kwargs.get("count"))
            elif name == "join":
                items = _bounded_items(value, rest[0] if rest else kwargs.get("d", ""))
                args = (*args[:at], items, *args[at + 1:])
            return func(*args, **kwargs)

        if at:
            bounded.jinja_pass_arg = func.jinja_pass_arg
        return bounded

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 1000:
                raise LimitExceeded("the exponent is too large")
            if isinstance(left, int) and isinstance(right, int) and right > 0 \
                    and max(left.bit_length(), 1) * right > MAX_INT_BITS:
                raise LimitExceeded(f"the result would have more than {MAX_INT_BITS} bits")
        elif operator == "*":
            if isinstance(left, int) and isinstance(right, int) \
                    and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise LimitExceeded(f"the result would have more than {MAX_INT_BITS} bits")
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_SIZE:
                    raise LimitExceeded("the result would be too large")
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left, right)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value):
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        _check_brace_format(value.__self__)
        return wrapper

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805  (Jinja's signature)
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _PADDING_METHODS:
                _refuse_big_ints([*args, *kwargs.values()])
            elif name == "replace" and len(args) >= 2:
                _check_replace(owner, *args[:3])
            elif name == "join" and args:
                args = (_bounded_items(args[0], owner), *args[1:])
        return super().call(__context, __obj, *args, **kwargs)


def fill(environment: DocumentSandbox, template: str, context: dict) -> str:
    """Render, stopping once the output passes ``MAX_OUTPUT`` characters."""
    parts, length = [], 0
    for part in environment.from_string(template).generate(context):
        length += len(part)
        if length > MAX_OUTPUT:
            raise OutputTooLong()
        parts.append(part)
    return "".join(parts)


# --- the worker process ----------------------------------------------------------------------------

def _reply(environment: DocumentSandbox, template: str, context: dict) -> dict:
    try:
        return {"text": fill(environment, template, context)}
    except MemoryError:
        return {"error": "memory"}
    except OutputTooLong:
        return {"error": "output"}
    except LimitExceeded as problem:
        return {"error": "limit", "detail": str(problem)[:500]}
    except Exception as problem:  # a user's template may fail in any way: say how
        return {"error": "failed", "detail": f"{type(problem).__name__}: {problem}"[:500]}


def serve(memory_mb: int) -> None:
    """Fill templates sent on stdin (length-prefixed pickles from the parent, which is trusted),
    answering on stdout (length-prefixed JSON: the parent never unpickles what a template made)."""
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing else may write into the answer channel
    requests = sys.stdin.buffer
    environment = DocumentSandbox()
    while True:
        header = requests.read(4)
        if len(header) < 4:
            return  # the parent closed the pipe (or died)
        template, context = pickle.loads(requests.read(int.from_bytes(header, "big")))
        reply = _reply(environment, template, context)
        data = json.dumps(reply).encode()
        answers.write(len(data).to_bytes(4, "big") + data)
        answers.flush()
        if reply.get("error") == "memory":
            return  # after a MemoryError the process may be in a bad state: the pool starts a fresh one


if __name__ == "__main__":
    serve(int(sys.argv[1]))
