"""Many upserts through one :class:`LeadExecClient`, with a result per item.

::

    import leadexec_async as lx
    from leadexec_async import bulk

    items = (bulk.Upsert.client({"Info": {...}}, tag=row.key) for row in rows)
    async with lx.LeadExecClient() as le:
        async with bulk.upsert_many(le, items, concurrency=8) as results:
            async for r in results:
                if r.ok:
                    print(r.tag, "->", r.id)
                elif r.outcome_unknown:
                    print(r.tag, "may or may not exist:", r.error)
                else:
                    print(r.tag, "failed:", r.error)

Behaviour:

- ``items`` is any iterable or async iterable of :class:`Upsert`. It is read
  lazily: an item is taken only when it can be started, so memory stays
  proportional to ``concurrency`` (plus the reorder window when ``ordered``),
  never to the length of the input.
- At most ``concurrency`` upserts are in flight at once. The client's own
  ``max_concurrency`` and ``rate_limit`` still apply on top (they are shared
  with everything else using that client).
- A :class:`BulkResult` is produced per item as it finishes: ``ok`` with its
  ``id``, or the ``error`` it ended with (``outcome_unknown`` is true when that
  error is :class:`~leadexec_async.OutcomeUnknownError` or an unreadable id in a
  2xx answer, :class:`~leadexec_async.UnexpectedResponseError`: a create that may or
  may not have been applied). A failure does not stop the others.
- An item refused with 429 through all of the client's retries
  (:class:`~leadexec_async.RateLimitError`) is sent again, up to
  ``BULK_RATE_LIMITED_RESENDS`` more times, after its ``Retry-After`` (or the
  client's first backoff): a 429 is refused before anything is applied, so
  this is safe for creates too, and the client's adaptive rate has slowed
  down meanwhile. A bulk job that runs into a server's rate limit therefore
  loses no record to it. A ``Retry-After`` longer than the client's
  ``max_retry_wait`` is not waited out: the item fails with it. (The rule is
  :meth:`leadexec_async._retry.RetryPolicy.resend_delay`.)
- ``ordered=True`` yields results in input order, holding at most
  ``2 * concurrency - 1`` finished results back while an earlier one is still running.
- ``stop_on_error=True`` stops taking new items after the first failed result;
  items already in flight still finish and their results are yielded, then
  iteration ends and :attr:`BulkRun.stopped` is true.
- Leaving the ``async with`` block early cancels upserts still in flight. To
  stop gracefully, end the input instead: the run then drains what is in
  flight and finishes.
- An exception raised by the input itself (or an item that is not an
  :class:`Upsert`) stops the feed like the end of the input: the upserts in
  flight finish and their results are yielded (a create already sent keeps
  its id), then iteration raises that exception.

``async for r in bulk.upsert_many(...)`` also works without ``async with``, as
long as the loop is run to its end (or the iterator closed with
``contextlib.aclosing``): the ``async with`` form is the structured one.

It works under asyncio and trio (anyio task groups).
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable
from contextlib import aclosing
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Protocol, cast

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectSendStream

from . import _constants as C
from ._client import pacing_of
from ._errors import OutcomeUnknownError, RateLimitError, UnexpectedResponseError, ValidationError, shown

__all__ = ["DEFAULT_CONCURRENCY", "BulkResult", "BulkRun", "Resource", "Upsert", "upsert_many"]

#: In-flight upserts of one bulk run when ``concurrency`` is not given.
DEFAULT_CONCURRENCY = C.DEFAULT_BULK_CONCURRENCY

#: The resource an :class:`Upsert` goes to: the name of the client's attribute.
Resource = Literal["clients", "delivery_methods", "delivery_accounts"]
_RESOURCES: tuple[Resource, ...] = ("clients", "delivery_methods", "delivery_accounts")


class _Upserter(Protocol):
    async def upsert(self, *args: Any) -> int: ...


@dataclass(frozen=True, slots=True)
class Upsert:
    """One upsert to run: which ``resource``, the ``body`` and, for delivery records, the ``client_id``.

    ``body`` is what the resource's ``upsert`` takes: a generated model or a
    dict with the wire's own key names; its id field decides between create
    (0) and update. ``tag`` is anything the caller wants back on the result
    (a key, a row number); it is never sent.
    """

    resource: Resource
    body: Any
    client_id: int | None = None
    tag: Any = None

    def __post_init__(self) -> None:
        """Refuse a bad ``resource`` or ``client_id`` with :class:`~leadexec_async.ValidationError`."""
        if self.resource not in _RESOURCES:
            raise ValidationError(
                f"resource must be one of {', '.join(_RESOURCES)}, not {shown(self.resource)}",
                field="resource",
            )
        if self.resource == "clients":
            if self.client_id is not None:
                raise ValidationError(
                    "a client upsert takes no client_id (it is in the body)", field="client_id"
                )
        elif not isinstance(self.client_id, int) or isinstance(self.client_id, bool) or self.client_id < 1:
            raise ValidationError(
                f"{self.resource} upserts need client_id, a positive integer", field="client_id"
            )

    @classmethod
    def client(cls, body: Any, *, tag: Any = None) -> Upsert:
        """Upsert of a client (``PATCH /v1/clients``)."""
        return cls("clients", body, None, tag)

    @classmethod
    def delivery_method(cls, client_id: int, body: Any, *, tag: Any = None) -> Upsert:
        """Upsert of a delivery method of client ``client_id``."""
        return cls("delivery_methods", body, client_id, tag)

    @classmethod
    def delivery_account(cls, client_id: int, body: Any, *, tag: Any = None) -> Upsert:
        """Upsert of a delivery account of client ``client_id``."""
        return cls("delivery_accounts", body, client_id, tag)

    async def send(self, le: Any) -> int:
        """Run this upsert on ``le`` (a :class:`LeadExecClient`); return the record's id."""
        resource = cast(_Upserter, getattr(le, self.resource))
        if self.client_id is None:
            return await resource.upsert(self.body)
        return await resource.upsert(self.client_id, self.body)


@dataclass(frozen=True, slots=True)
class BulkResult:
    """How one item ended. ``index`` is its position in the input (from 0)."""

    index: int
    item: Upsert
    id: int | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """True when the upsert succeeded (``id`` holds the record's id)."""
        return self.error is None

    @property
    def outcome_unknown(self) -> bool:
        """True when the item may have been applied although no id came back.

        That is :class:`~leadexec_async.OutcomeUnknownError` (a create that may
        or may not have been applied), and :class:`~leadexec_async.UnexpectedResponseError`
        (the server answered 2xx, so the record was applied, but its id could
        not be read). Sending such a create again could make a second record.
        """
        return isinstance(self.error, OutcomeUnknownError | UnexpectedResponseError)

    @property
    def tag(self) -> Any:
        """The item's ``tag``."""
        return self.item.tag


class BulkRun:
    """A running bulk job: an async context manager and an async iterator of :class:`BulkResult`.

    Made by :func:`upsert_many`; see the module documentation.
    """

    def __init__(
        self,
        le: Any,
        items: Iterable[Upsert] | AsyncIterable[Upsert],
        *,
        concurrency: int,
        ordered: bool,
        stop_on_error: bool,
    ) -> None:
        self._le = le
        self._policy, self._sleep = pacing_of(le)
        self._items = items
        self.concurrency = concurrency
        self.ordered = ordered
        self.stop_on_error = stop_on_error
        #: True once ``stop_on_error`` stopped the run before the input ended.
        self.stopped = False
        self._entered = False
        self._finished = False
        self._tg: TaskGroup | None = None
        self._feed_scope: anyio.CancelScope | None = None
        self._input_error: Exception | None = None
        self._pending: dict[int, BulkResult] = {}
        self._next_index = 0
        # Items taken from the input whose result the consumer has not had yet.
        self._window = anyio.Semaphore(concurrency * 2)
        self._in_flight = anyio.Semaphore(concurrency)
        # The window semaphore bounds how many results can sit here, whatever its nominal size.
        self._send, self._recv = anyio.create_memory_object_stream[BulkResult](math.inf)

    def __repr__(self) -> str:
        return (
            f"<BulkRun concurrency={self.concurrency} ordered={self.ordered} "
            f"stop_on_error={self.stop_on_error} stopped={self.stopped}>"
        )

    async def __aenter__(self) -> BulkRun:
        if self._entered:
            raise RuntimeError("a BulkRun can be run only once")
        self._entered = True
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._feed)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._tg is not None
        if not self._finished:
            # Left early: stop feeding and cancel what is in flight.
            self._tg.cancel_scope.cancel()
        try:
            suppress = await self._tg.__aexit__(exc_type, exc, tb)
        except BaseExceptionGroup as group:
            # The task group wraps what left the block (an input failure raised by iteration).
            if len(group.exceptions) == 1 and isinstance(group.exceptions[0], Exception):
                raise group.exceptions[0] from None
            raise
        finally:
            self._recv.close()
        error, self._input_error = self._input_error, None
        if error is not None and exc is None:
            raise error  # the input failed and the block was left before iteration raised it
        return suppress

    def __aiter__(self) -> AsyncIterator[BulkResult]:
        if not self._entered:
            return self._run_whole()
        return self

    async def _run_whole(self) -> AsyncIterator[BulkResult]:
        async with self:
            async for result in self:
                yield result

    async def __anext__(self) -> BulkResult:
        if not self._entered:
            raise RuntimeError("use `async with upsert_many(...) as results` or `async for` on it")
        while True:
            if self.ordered and self._next_index in self._pending:
                result = self._pending.pop(self._next_index)
                self._next_index += 1
                self._window.release()
                return result
            try:
                result = await self._recv.receive()
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                self._finished = True
                error, self._input_error = self._input_error, None
                if error is not None:
                    raise error from None
                raise StopAsyncIteration from None
            if not self.ordered:
                self._window.release()
                return result
            self._pending[result.index] = result

    def _stop(self) -> None:
        self.stopped = True
        if self._feed_scope is not None:
            self._feed_scope.cancel()

    async def _feed(self) -> None:
        """Take items one at a time, each only once it can start, and start it.

        A failure of the input ends the feed; it is kept for the consumer, and
        what is in flight finishes.
        """
        assert self._tg is not None
        source = _aiter(self._items)
        with self._send, anyio.CancelScope() as self._feed_scope:
            try:
                async with aclosing(source):
                    await self._feed_from(source)
            except Exception as error:
                self._input_error = error

    async def _feed_from(self, source: AsyncIterator[Upsert]) -> None:
        assert self._tg is not None
        index = 0
        while True:
            await self._window.acquire()
            await self._in_flight.acquire()
            try:
                item = await anext(source)
            except StopAsyncIteration:
                return
            if not isinstance(item, Upsert):
                raise TypeError(f"bulk items must be Upsert, not {type(item).__name__}")
            self._tg.start_soon(self._one, index, item, self._send.clone())
            index += 1

    async def _one(self, index: int, item: Upsert, send: MemoryObjectSendStream[BulkResult]) -> None:
        with send:
            try:
                record_id = await self._send_item(item)
            except Exception as error:  # every failure becomes a result; cancellation is not an Exception
                result = BulkResult(index, item, None, error)
                if self.stop_on_error and not self.stopped:
                    self._stop()
            else:
                result = BulkResult(index, item, record_id, None)
            finally:
                self._in_flight.release()
            send.send_nowait(result)

    async def _send_item(self, item: Upsert) -> int:
        """Send ``item``; send it again after a :class:`RateLimitError` that may be waited out."""
        resends = 0
        while True:
            try:
                return await item.send(self._le)
            except RateLimitError as error:
                delay = self._policy.resend_delay(resends, error.retry_after)
                if delay is None:
                    raise
                resends += 1
                await self._sleep(delay)


async def _aiter(items: Iterable[Upsert] | AsyncIterable[Upsert]) -> AsyncGenerator[Upsert, None]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item


def upsert_many(
    le: Any,
    items: Iterable[Upsert] | AsyncIterable[Upsert],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    ordered: bool = False,
    stop_on_error: bool = False,
) -> BulkRun:
    """Run the upserts of ``items`` through ``le`` and produce a :class:`BulkResult` for each.

    See the module documentation for the rules. Raises
    :class:`~leadexec_async.ValidationError` (a ``ValueError``) at once when
    ``concurrency`` is not a positive integer.
    """
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise ValidationError(
            f"concurrency must be a positive integer, not {shown(concurrency)}", field="concurrency"
        )
    return BulkRun(le, items, concurrency=concurrency, ordered=ordered, stop_on_error=stop_on_error)
