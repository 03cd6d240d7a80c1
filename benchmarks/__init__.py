"""Benchmarks of leadexec-async, run with ``python -m benchmarks`` (``make bench``).

Five measurements, each printed as rows of one table together with the machine
they ran on. Every target is a ratio of two figures taken in the same run, so
it holds on a noisy machine; the absolute numbers are printed next to it.

1. :mod:`benchmarks.overhead`: client CPU per call of the facade against raw
   httpx and the generated operation, all on one ``httpx.MockTransport``.
2. :mod:`benchmarks.end_to_end`: requests per second against the emulator,
   run in its own process over loopback, at concurrency 8 and 32.
3. :mod:`benchmarks.bulk_rate`: a bulk run against an emulator that allows
   400 requests per second, with the rate given and with the rate found.
4. :mod:`benchmarks.memory`: peak memory and time per item of a long
   streamed bulk run, each size in its own process.
5. :mod:`benchmarks.wire`: client CPU per request of the facade against raw
   aiohttp, against a minimal server in its own process, at concurrency 8 and 32.

Nothing here is a test: the smoke test (``tests/test_benchmarks_smoke.py``)
only checks that the harness produces its rows.
"""
