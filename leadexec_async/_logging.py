"""Logging under ``leadexec_async`` and the redaction of secrets.

The SDK logs one DEBUG line per HTTP attempt (method, path, status, elapsed
milliseconds, attempt number) and one INFO line per retry. It never logs
bodies, headers, tokens or secrets. Nothing is printed unless the application
configures logging, or ``LEADEXEC_LOG`` is set to ``debug`` or ``info``, which
attaches a stderr handler to the ``leadexec_async`` logger (once).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable

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


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every non-empty secret replaced by ``***``.

    Secrets of four characters or more are replaced wherever they occur;
    shorter ones only where they stand alone (not inside a longer word), so
    that a one-letter test password does not mangle every message.
    """
    for secret in secrets:
        if not secret or secret not in text:
            continue
        if len(secret) >= _SHORT:
            text = text.replace(secret, MASK)
        else:
            pattern = r"(?<![0-9A-Za-z])" + re.escape(secret) + r"(?![0-9A-Za-z])"
            text = re.sub(pattern, MASK, text)
    return text


class Secret:
    """A string that never shows itself in ``repr`` or ``str``; ``.value`` gives it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__
