"""Logging under ``leadexec_async`` and the redaction of secrets.

The SDK logs one DEBUG line per HTTP attempt (method, path, status, elapsed
milliseconds, attempt number) and one INFO line per retry. It never logs
bodies, headers, tokens or secrets. Nothing is printed unless the application
configures logging, or ``LEADEXEC_LOG`` is set to ``debug`` or ``info``, which
attaches a stderr handler to the ``leadexec_async`` logger (once).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import traceback
import urllib.parse
import weakref
from collections.abc import Callable, Iterable
from typing import Final

from ._constants import ENV_LOG, LOGGER_NAME, MASK

logger = logging.getLogger(LOGGER_NAME)

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_configured = False
_SHORT = 4


def configure_from_env() -> None:
    """Attach a stderr handler at the level named by ``LEADEXEC_LOG``, once per process.

    Unset or unknown values change nothing, so an application's own logging
    configuration stays in charge.
    """
    global _configured
    if _configured:
        return
    _configured = True
    level = _LEVELS.get(os.environ.get(ENV_LOG, "").strip().lower())
    if level is None:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.set_name("leadexec_async.env")
    logger.addHandler(handler)
    logger.setLevel(level)


#: A secret is hidden wherever any piece of it this long (or longer) shows, in any of its forms.
FRAGMENT: Final = 8


def secret_forms(secret: str) -> list[str]:
    """The ways ``secret`` can appear in text: as is, JSON-escaped (ASCII-only or not),
    URL-escaped (``%XX`` in upper or lower case, ``+`` for space) and as UTF-8 read as Latin-1."""
    forms = {secret}
    for ascii_only in (True, False):
        forms.add(json.dumps(secret, ensure_ascii=ascii_only)[1:-1])
    for quoted in (urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret, safe="")):
        forms.add(quoted)
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quoted))
    forms.add(urllib.parse.quote(secret, safe="/:@!$&'()*+,;=-._~"))
    with contextlib.suppress(UnicodeError):
        forms.add(secret.encode().decode("latin-1"))
    return [f for f in forms if f]


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every secret, and every trace of one, replaced by ``***``.

    A secret of :data:`FRAGMENT` characters or more is hidden wherever any
    :data:`FRAGMENT`-character piece of any of its forms (:func:`secret_forms`)
    occurs, so a secret cut short, or quoted escaped, is hidden too; what may be
    left beside a mask is shorter than :data:`FRAGMENT`. Shorter secrets are
    replaced whole (secrets under four characters only where they stand alone,
    not inside a longer word, so that a one-letter test password does not
    mangle every message). Redact first, cut a preview after.
    """
    return Redactor(secrets)(text)


class Redactor:
    """:func:`redact` with the pieces of ``secrets`` worked out once, for many texts."""

    __slots__ = ("_firsts", "_pieces", "_short")

    def __init__(self, secrets: Iterable[str]) -> None:
        pieces: set[str] = set()
        short: list[str] = []
        for secret in secrets:
            if not secret:
                continue
            for form in secret_forms(secret):
                if len(form) >= FRAGMENT:
                    pieces.update(form[i : i + FRAGMENT] for i in range(len(form) - FRAGMENT + 1))
                else:
                    short.append(form)
        self._pieces = frozenset(pieces)
        self._firsts = frozenset(p[0] for p in pieces)
        self._short = sorted(set(short), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        if self._pieces and len(text) >= FRAGMENT:
            text = _mask_pieces(text, self._pieces, self._firsts)
        for secret in self._short:
            if secret not in text:
                continue
            if len(secret) >= _SHORT:
                text = text.replace(secret, MASK)
            else:
                pattern = r"(?<![0-9A-Za-z])" + re.escape(secret) + r"(?![0-9A-Za-z])"
                text = re.sub(pattern, MASK, text)
        return text


def _mask_pieces(text: str, pieces: frozenset[str], firsts: frozenset[str]) -> str:
    """``text`` with every run covered by a piece of ``pieces`` (all FRAGMENT long) masked."""
    spans: list[list[int]] = []
    for i in range(len(text) - FRAGMENT + 1):
        if text[i] in firsts and text[i : i + FRAGMENT] in pieces:
            if spans and spans[-1][1] >= i:
                spans[-1][1] = i + FRAGMENT
            else:
                spans.append([i, i + FRAGMENT])
    if not spans:
        return text
    out: list[str] = []
    at = 0
    for start, end in spans:
        out.append(text[at:start])
        out.append(MASK)
        at = end
    out.append(text[at:])
    return "".join(out)


# -- other libraries' log records ----------------------------------------------------

#: Loggers of the libraries under the SDK; their records are redacted while a client is open.
FOREIGN_LOGGERS: Final = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aiohttp.client",
    "aiohttp.internal",
    "asyncio",
)
_sources: weakref.WeakKeyDictionary[object, Callable[[], Iterable[str]]] = weakref.WeakKeyDictionary()
_filter_installed = False


def live_secrets() -> list[str]:
    """The secrets of every open client (tokens, client secrets, proxy credentials)."""
    found: list[str] = []
    for source in list(_sources.values()):
        found.extend(s for s in source() if s)
    return found


def watch_secrets(owner: object, source: Callable[[], Iterable[str]]) -> None:
    """Hide ``source()``'s secrets from the records of :data:`FOREIGN_LOGGERS` while ``owner`` lives
    (or until :func:`unwatch_secrets`). ``source`` must not refer to ``owner``."""
    global _filter_installed
    _sources[owner] = source
    if not _filter_installed:
        _filter_installed = True
        flt = _RedactingFilter()
        for name in FOREIGN_LOGGERS:
            logging.getLogger(name).addFilter(flt)


def unwatch_secrets(owner: object) -> None:
    """Stop watching ``owner``'s secrets (its client is closed)."""
    _sources.pop(owner, None)


class _RedactingFilter(logging.Filter):
    """Rewrites a record of a library under the SDK so that no secret of an open client shows.

    A logger's filter runs for the records created on that logger, before any
    handler sees them, so every handler (the application's included) gets the
    redacted record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = live_secrets()
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted: keep only its template
            message = str(record.msg)
        hide = Redactor(secrets)
        record.msg = hide(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.exc_text = hide("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
            record.exc_text = record.exc_text.rstrip("\n")
            record.exc_info = None
        if record.stack_info:
            record.stack_info = hide(record.stack_info)
        return True


class Secret:
    """A string that never shows itself in ``repr`` or ``str``; ``.value`` gives it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__
