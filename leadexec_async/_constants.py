"""Every default of the request layer, in one place.

Timeouts are httpx's per-phase timeouts: ``DEFAULT_TIMEOUT`` allows 5 s to open
a connection and 30 s for each of: writing the body, waiting for/reading the
answer, and taking a connection from the pool (which never waits in practice:
the pool holds at least ``max_concurrency`` connections).
"""

from __future__ import annotations

from typing import Final

import httpx

from ._version import __version__

# Where and how to reach the API.
DEFAULT_BASE_URL: Final = "https://api.leadexec.net"
USER_AGENT: Final = f"leadexec-async/{__version__}"

# Timeouts (seconds).
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
DEFAULT_PHASE_TIMEOUT: Final = 30.0
DEFAULT_TIMEOUT: Final = httpx.Timeout(DEFAULT_PHASE_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)

# Retries: ``max_retries`` repeats after the first attempt, exponential backoff
# ``min(BACKOFF_INITIAL * 2**(n-1), BACKOFF_MAX) * (1 - BACKOFF_JITTER * random())``
# before repeat n, unless the server sent ``Retry-After``, which is honoured up
# to ``max_retry_wait`` seconds (beyond it the error is raised at once).
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_BACKOFF_INITIAL: Final = 0.5
DEFAULT_BACKOFF_MAX: Final = 8.0
BACKOFF_JITTER: Final = 0.25
DEFAULT_MAX_RETRY_WAIT: Final = 60.0

# Concurrency and rate.
DEFAULT_MAX_CONCURRENCY: Final = 16
KEEPALIVE_EXPIRY: Final = 30.0

# Client-credentials tokens are renewed this many seconds before ``expires_in``
# runs out (or at half their life, for tokens that live under twice as long).
TOKEN_RENEW_MARGIN: Final = 60.0

# The HTTP machinery: "auto" takes aiohttp under asyncio, httpx's own under trio.
HTTP_BACKENDS: Final = ("auto", "aiohttp", "httpx")
DEFAULT_HTTP_BACKEND: Final = "auto"

# Environment variables read when an argument is left out.
ENV_ACCESS_TOKEN: Final = "LEADEXEC_ACCESS_TOKEN"  # noqa: S105 (a variable name)
ENV_CLIENT_ID: Final = "LEADEXEC_CLIENT_ID"
ENV_CLIENT_SECRET: Final = "LEADEXEC_CLIENT_SECRET"  # noqa: S105 (a variable name)
ENV_BASE_URL: Final = "LEADEXEC_BASE_URL"
ENV_LOG: Final = "LEADEXEC_LOG"

LOGGER_NAME: Final = "leadexec_async"
# Characters of an unreadable id body quoted in UnexpectedResponseError's message.
ID_BODY_PREVIEW: Final = 200
MASK: Final = "***"
