"""Reading a plan file: its size and nesting limits, JSON or YAML, and ``${VAR}`` substitution.

Everything here reports a problem as a :class:`PlanError` holding
:class:`Problem` items, each naming the file (and, where known, the record
and the field), so that :mod:`leadexec_async.provision.plan` can report every
problem of a plan at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .. import _constants as C

__all__ = ["PlanError", "Problem", "expand_vars", "parse_document", "read_plan_file"]

_VAR = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{[^}]*\}?")
_MAX_REPORTED = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan: where it is (``record``, ``field``) and what."""

    file: str
    record: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.record:
            where.append(self.record)
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: {self.message}"


class PlanError(ValueError):
    """The plan cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:_MAX_REPORTED]]
        if len(problems) > _MAX_REPORTED:
            lines.append(f"… and {len(problems) - _MAX_REPORTED} more problems")
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"the plan has {len(problems)} {noun}:\n  " + "\n  ".join(lines))


def read_plan_file(path: Path) -> bytes:
    """The bytes of the plan at ``path``, refused past :data:`~leadexec_async._constants.MAX_PLAN_BYTES`."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > C.MAX_PLAN_BYTES:
            raise PlanError([Problem(name, None, None, _too_big(size))])
        with path.open("rb") as f:
            raw = f.read(C.MAX_PLAN_BYTES + 1)
    except OSError as error:
        raise PlanError(
            [Problem(name, None, None, f"cannot read the plan: {error.strerror or error}")]
        ) from None
    if len(raw) > C.MAX_PLAN_BYTES:
        raise PlanError([Problem(name, None, None, _too_big(len(raw)))])
    return raw


def _too_big(size: int) -> str:
    return f"the plan is {size} bytes, more than the {C.MAX_PLAN_BYTES} allowed"


def parse_document(raw: bytes | str, name: str, fmt: Literal["yaml", "json"]) -> Any:
    """The plan's document (UTF-8, BOM allowed), within the size and nesting limits."""
    if isinstance(raw, bytes):
        if len(raw) > C.MAX_PLAN_BYTES:
            raise PlanError([Problem(name, None, None, _too_big(len(raw)))])
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise PlanError(
                [Problem(name, None, None, f"the plan is not UTF-8 text (bad byte at line {line})")]
            ) from None
    else:
        text = raw
    document = _parse_json(text, name) if fmt == "json" else _parse_yaml(text, name)
    _check_depth(document, name)
    return document


_TOO_LONG = "not valid {fmt}: a number has more digits than can be read"


def _parse_json(text: str, name: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                raise PlanError([Problem(name, None, k, "the same key appears twice in one object")])
            out[k] = v
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except RecursionError:
        raise PlanError([Problem(name, None, None, "the plan is nested too deeply")]) from None
    except json.JSONDecodeError as error:
        raise PlanError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"not valid JSON at line {error.lineno} column {error.colno}: {error.msg}",
                )
            ]
        ) from None
    except PlanError:  # raised by our own checks inside the parser (PlanError is a ValueError)
        raise
    except ValueError:  # an integer literal longer than Python reads (4300 digits)
        raise PlanError([Problem(name, None, None, _TOO_LONG.format(fmt="JSON"))]) from None


def _parse_yaml(text: str, name: str) -> Any:
    import yaml  # the `cli` extra; only needed for YAML plans

    # libyaml's parser when PyYAML was built with it (about 10 times faster on large plans).
    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        """SafeLoader that refuses aliases (no expansion bombs) and repeated mapping keys."""

        def construct_document(self, node: Any) -> Any:
            # An alias (*name) makes one node appear twice in the tree: refuse it before building.
            seen: set[int] = set()
            stack = [node]
            while stack:
                item = stack.pop()
                if id(item) in seen:
                    line = item.start_mark.line + 1
                    message = f"YAML aliases (*name) are not allowed (line {line})"
                    raise PlanError([Problem(name, None, None, message)])
                seen.add(id(item))
                if isinstance(item, yaml.SequenceNode):
                    stack.extend(item.value)
                elif isinstance(item, yaml.MappingNode):
                    for key_node, value_node in item.value:
                        stack.extend((key_node, value_node))
            return super().construct_document(node)

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    hash(key)
                except TypeError:  # a YAML complex key (`? [a, b]`)
                    line = key_node.start_mark.line + 1
                    message = f"a mapping key must be plain text, not a list or a mapping (line {line})"
                    raise PlanError([Problem(name, None, None, message)]) from None
                if key in seen:
                    line = key_node.start_mark.line + 1
                    raise PlanError(
                        [
                            Problem(
                                name,
                                None,
                                str(key),
                                f"the same key appears twice in one mapping (line {line})",
                            )
                        ]
                    )
                seen.add(key)
            mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
            return mapping

    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - Loader is a SafeLoader subclass
    except RecursionError:
        raise PlanError([Problem(name, None, None, "the plan is nested too deeply")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        if "nesting depth" in problem:  # libyaml's own depth guard
            raise PlanError([Problem(name, None, None, "the plan is nested too deeply")]) from None
        raise PlanError([Problem(name, None, None, f"not valid YAML{where}: {problem}")]) from None
    except PlanError:  # raised by our own checks inside the parser (PlanError is a ValueError)
        raise
    except ValueError:  # an integer literal longer than Python reads (4300 digits)
        raise PlanError([Problem(name, None, None, _TOO_LONG.format(fmt="YAML"))]) from None


def _check_depth(document: Any, name: str) -> None:
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > C.MAX_PLAN_DEPTH:
            raise PlanError(
                [Problem(name, None, None, f"the plan is nested more than {C.MAX_PLAN_DEPTH} levels deep")]
            )
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def expand_vars(text: str, environ: Mapping[str, str], problem: Callable[[str], None]) -> str:
    """Replace each ``${VAR}`` of ``text`` by ``environ[VAR]`` (``$${`` writes ``${``).

    A malformed reference or an unset variable is passed to ``problem``; an unset
    one stays as written, so the value checks that follow still run.
    """

    def one(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "$${":
            return "${"
        var = match.group(1)
        if var is None:
            problem(f"bad variable reference {whole!r}: write ${{NAME}}")
            return ""
        if var not in environ:
            problem(f"environment variable {var} is not set")
            return whole  # a stand-in, so the value checks still run
        return environ[var]

    return _VAR.sub(one, text) if "$" in text else text
