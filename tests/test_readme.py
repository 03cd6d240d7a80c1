"""The code of the README and of the guides (docs/index.md, docs/guides/*.md), run, so that the
documentation cannot drift from the code.

* Every ``python`` block compiles. Complete programs (``asyncio.run``,
  ``trio.run``, ``run_emulator``) run in a subprocess against the emulator,
  configured only by the ``LEADEXEC_*`` variables the README tells people to set.
  Self-contained snippets run in-process. The pytest example runs under pytest.
* Each ``await ...`` line followed by ``# ValidationError: <message>`` raises exactly
  that message, and sends nothing.
* Each ``leadexec`` command line parses with the real argument parser, each
  ``make`` target exists, the plan in the README is a valid plan, and the JSON the
  FastAPI section posts is a valid request of the example service.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import leadexec_async as lx
from leadexec_async.cli import build_parser

pytest.importorskip("uvicorn")
from leadexec_async.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
#: every document whose code is run: the README, then the site's home page and guides
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "index.md", *sorted((ROOT / "docs" / "guides").glob("*.md"))]
TEXTS = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for path in DOCUMENTS}
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int
    document: str = "README.md"

    def __str__(self) -> str:
        return f"{self.document}:{self.line}"


def _blocks(lang: str) -> list[Block]:
    return [
        Block(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1, document)
        for document, text in TEXTS.items()
        for m in _FENCE.finditer(text)
        if m.group(1) == lang
    ]


PYTHON = _blocks("python")
PYTEST = [b for b in PYTHON if "def test_" in b.code]
PROGRAMS = [
    b for b in PYTHON if b not in PYTEST and re.search(r"^(asyncio|trio)\.run\(|run_emulator\(", b.code, re.M)
]
SNIPPETS = [
    b
    for b in PYTHON
    if b not in PYTEST
    and b not in PROGRAMS
    and re.match(r"(import|from) ", b.code)
    and "await " not in b.code
]
FRAGMENTS = [b for b in PYTHON if b not in PYTEST and b not in PROGRAMS and b not in SNIPPETS]
CONSOLE = _blocks("console")


def _quickstarts() -> dict[Block, str]:
    """The quickstart program of each document that has one -> the output that document promises."""
    found = {}
    for document, text in TEXTS.items():
        at = text.find("Save this as `quickstart.py`")
        if at < 0:
            continue
        block = next(b for b in PYTHON if b.document == document and text.index(b.code) > at)
        promised = re.search(r"It prints `([^`]+)`", text[at:])
        assert promised is not None, document
        found[block] = promised.group(1)
    return found


QUICKSTARTS = _quickstarts()
# A program whose block is followed at once by "prints `...`" must print exactly that.
PROMISED = {
    b: m.group(1)
    for b in PROGRAMS
    for m in [
        re.match(
            r"```\n\n(?:It )?prints `([^`]+)`",
            TEXTS[b.document][TEXTS[b.document].index(b.code) + len(b.code) :],
        )
    ]
    if m is not None
}


def test_the_readme_has_the_blocks_these_tests_expect() -> None:
    assert len(PROGRAMS) >= 6  # quickstart (README and guide), bulk, trio, run_emulator, tracing
    assert {b.document for b in QUICKSTARTS} == {"README.md", "docs/guides/quickstart.md"}
    assert all(b in PROGRAMS for b in QUICKSTARTS)
    assert [b.document for b in PROMISED] == ["docs/guides/tracing.md"]
    assert len(PYTEST) == 1
    assert SNIPPETS
    assert FRAGMENTS
    assert CONSOLE


@pytest.mark.parametrize("block", PYTHON, ids=str)
def test_every_python_block_compiles(block: Block) -> None:
    compile(block.code, str(block), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


@pytest.fixture
def env(leadexec_emulator: EmulatorServer) -> dict[str, str]:
    """The environment the README has people set, pointed at the emulator."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LEADEXEC_")}
    assert leadexec_emulator.token
    environ.update(
        LEADEXEC_BASE_URL=leadexec_emulator.base_url, LEADEXEC_ACCESS_TOKEN=leadexec_emulator.token
    )
    return environ


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("block", PROGRAMS, ids=str)
def test_programs_run_against_the_emulator(
    block: Block, env: dict[str, str], leadexec_emulator: EmulatorServer, tmp_path: Path
) -> None:
    script = tmp_path / "program.py"
    script.write_text(block.code, encoding="utf-8")
    done = _run([sys.executable, str(script)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    if "run_emulator(" not in block.code:
        assert leadexec_emulator.state()["clients"], "the program created nothing"
    if block in QUICKSTARTS or block in PROMISED:
        assert done.stdout.strip() == {**QUICKSTARTS, **PROMISED}[block]


@pytest.mark.parametrize("block", SNIPPETS, ids=str)
def test_self_contained_snippets_run(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACCESS_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "BASE_URL"):
        monkeypatch.delenv(f"LEADEXEC_{name}", raising=False)
    exec(compile(block.code, str(block), "exec"), {"__name__": "readme_snippet"})


_EXPECTED_ERROR = re.compile(r"^(await .+)\n# ValidationError: (.+)$", re.MULTILINE)
ERROR_EXAMPLES = [(b, m.group(1), m.group(2)) for b in FRAGMENTS for m in _EXPECTED_ERROR.finditer(b.code)]


@pytest.mark.anyio
@pytest.mark.parametrize(("block", "statement", "message"), ERROR_EXAMPLES, ids=lambda x: str(x)[:40])
async def test_validation_messages_are_the_ones_shown(block: Block, statement: str, message: str) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, text="1")

    async with lx.LeadExecClient(access_token="t", transport=httpx.MockTransport(handler)) as le:
        code = compile(statement, str(block), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        with pytest.raises(lx.ValidationError) as caught:
            await eval(code, {"le": le, "lx": lx})  # the README's own example
    assert str(caught.value) == message
    assert sent == []


def test_the_error_examples_were_found() -> None:
    assert len(ERROR_EXAMPLES) >= 2


def test_the_pytest_example_passes(env: dict[str, str], tmp_path: Path) -> None:
    [block] = PYTEST
    (tmp_path / "test_my_job.py").write_text(block.code, encoding="utf-8")
    # The backends are picked here, as the README says users may, so the expected count does not
    # depend on anyio's default (which has changed between anyio versions).
    backends = ["asyncio", "trio"]
    (tmp_path / "conftest.py").write_text(
        f"import pytest\n\n\n@pytest.fixture(params={backends!r})\n"
        "def anyio_backend(request):\n    return request.param\n",
        encoding="utf-8",
    )
    # The plugin comes in by its entry point, as for a user; unrelated heavy plugins stay out.
    skip = [f"-pno:{name}" for name in ("cacheprovider", "schemathesis", "hypothesispytest", "asyncio")]
    done = _run([sys.executable, "-m", "pytest", "-q", *skip, "test_my_job.py"], env, tmp_path)
    tests = len(re.findall(r"^async def test_", block.code, re.MULTILINE)) * len(backends)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _outcomes(done.stdout) == {"passed": tests}, done.stdout  # each once; none skipped or missing


def _outcomes(stdout: str) -> dict[str, int]:
    """pytest's closing line as counts: ``"3 passed, 1 skipped in 0.5s"`` -> {passed: 3, skipped: 1}.

    Warnings are left out (they are not test outcomes).
    """
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", stdout.strip().splitlines()[-1])}
    return {word: n for word, n in counts.items() if not word.startswith("warning")}


def _command_lines(block: Block) -> list[list[str]]:
    """The shell commands of a console block, as words (continuations and quoted newlines joined)."""
    commands, pending = [], ""
    for line in block.code.replace("\\\n", " ").splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the command goes on on the next line
            continue
        pending = ""
        if words and "[" not in line:  # "[--option]" marks a synopsis, not a command
            commands.append(words)
    assert not pending, f"{block}: unterminated command"
    return commands


def _commands(program: str) -> list[list[str]]:
    """Arguments of every console command running ``program`` (leading VAR=value assignments dropped)."""
    found = []
    for block in CONSOLE:
        for words in _command_lines(block):
            while words and re.match(r"^[A-Z_]+=", words[0]):
                words.pop(0)
            if words and words[0].rsplit("/", 1)[-1] == program:
                found.append(words[1:])
    return found


def test_leadexec_command_lines_parse() -> None:
    lines = _commands("leadexec")
    assert any(line[:1] == ["emulator"] for line in lines)
    assert any(line[:1] == ["provision"] for line in lines)
    parser = build_parser()
    for argv in lines:
        parser.parse_args(argv)  # exits (fails the test) on an unknown option


def test_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    used = {argv[0] for argv in _commands("make")}
    assert {"demo", "test", "generate", "check-generated"} <= used
    assert used <= targets


def test_the_readme_plan_is_a_valid_plan() -> None:
    from leadexec_async.provision import parse_plan

    [plan] = _blocks("yaml")
    parsed = parse_plan(plan.code, name="README plan", environ={"ACME_PORTAL_PASSWORD": "x"})
    assert [r.kind for r in parsed.records] == ["client", "delivery_method", "delivery_account"]


def test_the_fastapi_request_in_the_readme_is_valid() -> None:
    from examples.fastapi_app import BuyerIn

    [command] = [b.code for b in CONSOLE if "/buyers" in b.code]
    body: Any = json.loads(command.split("-d '", 1)[1].rsplit("'", 1)[0])
    BuyerIn.model_validate(body)
