"""What the pipeline hands to a result parser: an :class:`httpx.Response`, or an answer from a wire.

:class:`Reply` is the part of :class:`httpx.Response` that the parsers of
results and the error path read. :class:`WireReply` gives the same for an
:class:`~leadexec_async._wire.Answer` without building any httpx object on the
way to a successful result; an error that keeps the response
(:class:`~leadexec_async.APIStatusError`) gets a real :class:`httpx.Response`
from :meth:`WireReply.to_httpx`.

:func:`send_json` is the adapter between the pipeline's call (a JSON body and
the call's own headers) and :meth:`Wire.send <leadexec_async._wire.Wire.send>`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from ._constants import MAX_ERROR_BODY, MAX_SUCCESS_BODY, USER_AGENT
from ._wire import Answer, Wire

__all__ = ["Reply", "WireReply", "send_json"]

# What every request carries besides the call's own headers (the wire adds Host,
# Content-Length and Accept-Encoding).
_FIXED_HEADERS = {"User-Agent": USER_AGENT, "Accept": "text/plain, application/json"}
# Not copied to an httpx.Response made from an answer: its body is already decoded (and
# may be cut short), so these would describe bytes it does not hold.
_BODY_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


class Reply(Protocol):
    """The part of a response that result parsers and the error path read."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...

    @property
    def text(self) -> str: ...

    @property
    def request(self) -> httpx.Request: ...

    def json(self, **kwargs: Any) -> Any: ...


class WireReply:
    """An :class:`~leadexec_async._wire.Answer` seen as a :class:`Reply`."""

    __slots__ = ("_method", "_url", "content", "headers", "status_code", "truncated")

    def __init__(self, method: str, url: str, answer: Answer) -> None:
        self._method = method
        self._url = url
        self.status_code = answer.status
        self.headers = answer.headers
        self.content = answer.body
        self.truncated = answer.truncated

    @property
    def text(self) -> str:
        """The body as text, in the charset its ``Content-Type`` names (UTF-8 when none or unknown)."""
        charset = _charset(self.headers.get("Content-Type"))
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    @property
    def request(self) -> httpx.Request:
        """The request's method and URL (its headers and body are not kept)."""
        return httpx.Request(self._method.upper(), self._url)

    def json(self, **kwargs: Any) -> Any:
        """The body parsed as JSON (raises :class:`ValueError` when it is not)."""
        return json.loads(self.content, **kwargs)

    def to_httpx(self) -> httpx.Response:
        """The answer as an :class:`httpx.Response` (body decoded, framing headers left out)."""
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _BODY_FRAMING]
        return httpx.Response(self.status_code, headers=headers, content=self.content, request=self.request)


def _charset(content_type: str | None) -> str:
    if content_type:
        for part in content_type.split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip('"')
    return "utf-8"


async def send_json(
    wire: Wire, method: str, url: str, body: Mapping[str, Any], headers: Mapping[str, str]
) -> WireReply:
    """Send ``body`` as compact UTF-8 JSON through ``wire`` (as httpx would) with ``headers``."""
    content = _dumps(body).encode()
    answer = await wire.send(
        method,
        url,
        {**_FIXED_HEADERS, **headers},
        content,
        max_body=MAX_SUCCESS_BODY,
        max_error_body=MAX_ERROR_BODY,
    )
    return WireReply(method, url, answer)
