"""The documentation site builds with ``mkdocs build --strict`` and documents every public name.

One build per test session (about ten seconds), into a temporary folder:

* strict mode fails the build on a broken link or anchor between pages, an
  unresolved cross-reference, or a nav entry pointing nowhere;
* every name of ``leadexec_async.__all__``, ``leadexec_async.bulk``,
  ``leadexec_async.enums``, ``leadexec_async.provision``, ``leadexec_async.types``
  and ``leadexec_async.emulator`` has its entry (an element with the name's path
  as its id), and so do the three resources' methods, with their parameters;
* every enum member's label is on the enums page;
* every link inside the built site leads to a file of the site, and no page
  loads anything from another host (the site builds and reads offline);
* ``fields.md`` is in the navigation exactly when the file exists;
* every relative link of the README (which is not part of the site) leads to a file, and an
  anchor in it to a heading of that file.
"""

from __future__ import annotations

import html
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")

import leadexec_async as lx

ROOT = Path(__file__).resolve().parent.parent
MODULES = [
    "leadexec_async",
    "leadexec_async.bulk",
    "leadexec_async.enums",
    "leadexec_async.provision",
    "leadexec_async.types",
    "leadexec_async.emulator",
    "leadexec_async.emulator.pytest_plugin",
]
RESOURCES = ["ClientsResource", "DeliveryMethodsResource", "DeliveryAccountsResource"]
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\b(?:href|src)="([^"]*)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", "mkdocs.yml", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def ids(site: Path) -> set[str]:
    found: set[str] = set()
    for page in site.rglob("*.html"):
        found.update(html.unescape(i) for i in _ID.findall(page.read_text(encoding="utf-8")))
    return found


def _public(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    return [(name, getattr(module, name)) for name in module.__all__]


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_is_in_the_reference(module_name: str, ids: set[str]) -> None:
    top = {id(getattr(lx, name)): name for name in lx.__all__ if name != "__version__"}
    missing = []
    for name, obj in _public(module_name):
        if f"{module_name}.{name}" in ids:
            continue
        # a name re-exported from leadexec_async is documented once, under leadexec_async
        if id(obj) in top and f"leadexec_async.{top[id(obj)]}" in ids:
            continue
        missing.append(f"{module_name}.{name}")
    assert not missing


def test_every_resource_method_is_documented_with_its_parameters(site: Path, ids: set[str]) -> None:
    page = (site / "reference" / "client" / "index.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for resource in RESOURCES:
        for method in ("create", "update", "upsert"):
            assert f"leadexec_async._resources.{resource}.{method}" in ids, (resource, method)
    # the typed signatures generated into leadexec_async/_surface.py, overloads included
    for signature in (
        "create(*, date_added: DateTimeArg | NotGiven = NOT_GIVEN, status: ClientStatusArg",
        "username: str, password: str,",
        "update(client_id: int, *, date_added: DateTimeArg, status: ClientStatusArg",
        "update(client_id: int, *, reset_omitted: Literal[True],",
        "upsert(body: ClientUpsert | ClientRecord | ClientUpsertWire, *, reset_omitted: bool = False",
        "create(client_uid: int, *, type: DeliveryTypeArg = DeliveryType.HTTP_POST",
        "update(client_uid: int, method_id: int, *, type: DeliveryTypeArg, name: str",
        "update(client_uid: int, method_id: int, *, reset_omitted: Literal[True],",
        "create(client_uid: int, *, delivery_uid: int, price: float = 0.0",
        "update(client_uid: int, account_id: int, *, delivery_uid: int, price: float,",
        "update(client_uid: int, account_id: int, *, reset_omitted: Literal[True],",
        "upsert(client_uid: int, body: DeliveryAccount | DeliveryAccountRecord | DeliveryAccountWire",
    ):
        assert signature in re.sub(r"\s+", " ", text).replace("( ", "(").replace(" )", ")"), signature


def test_the_client_signature_lists_every_argument(site: Path) -> None:
    import inspect

    page = (site / "reference" / "client" / "index.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for name in inspect.signature(lx.LeadExecClient).parameters:
        assert re.search(rf"\b{name}\b", text), name


def test_the_enums_page_lists_every_member_with_its_label(site: Path) -> None:
    page = html.unescape((site / "reference" / "enums" / "index.html").read_text(encoding="utf-8"))
    for name, obj in _public("leadexec_async.enums"):
        members = getattr(obj, "__members__", None)
        if not members:
            continue
        for member in obj:  # type: ignore[attr-defined]
            assert f"<td><code>{member.name}</code></td>" in page, (name, member)
            assert f"<td>{member.label}</td>" in page, (name, member)


def test_no_sphinx_role_is_left_in_the_reference(site: Path) -> None:
    for page in (site / "reference").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r":(class|meth|func|mod|attr|exc):`", text), page


def test_every_link_of_the_site_leads_somewhere_and_nothing_is_loaded_from_elsewhere(site: Path) -> None:
    broken, remote = [], []
    for page in site.rglob("*.html"):
        for target in _HREF.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(html.unescape(target))
            if parts.scheme in ("http", "https", "mailto") or parts.netloc:
                if parts.netloc and not target.startswith(("http://", "https://", "mailto:")):
                    remote.append((page, target))
                continue
            if not parts.path:
                continue  # an anchor on the same page (strict mode checks anchors)
            base = site if parts.path.startswith("/") else page.parent  # 404.html links from the root
            resolved = (base / parts.path.lstrip("/")).resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.is_file():
                broken.append((str(page.relative_to(site)), target))
    assert not broken
    assert not remote
    for page in site.rglob("*.html"):
        head = page.read_text(encoding="utf-8").split("</head>", 1)[0]
        # stylesheets, scripts and fonts all come from the site itself
        assert not re.search(r'<(?:link|script)[^>]+(?:href|src)="(?:https?:)?//', head), page


def test_fields_page_is_in_the_nav_exactly_when_it_exists(tmp_path: Path) -> None:
    from mkdocs.config import load_config

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        hooks = importlib.import_module("docs_hooks")
    finally:
        sys.path.remove(str(ROOT / "scripts"))

    def nav_pages(nav: object) -> list[str]:
        if isinstance(nav, dict):
            return [p for v in nav.values() for p in nav_pages(v)]
        if isinstance(nav, list):
            return [p for v in nav for p in nav_pages(v)]
        return [str(nav)]

    for present in (False, True):
        docs = tmp_path / f"docs-{present}"
        docs.mkdir()
        if present:
            (docs / "fields.md").write_text("# Fields\n", encoding="utf-8")
        config = load_config(str(ROOT / "mkdocs.yml"))
        config.docs_dir = str(docs)
        pages = nav_pages(hooks.on_config(config).nav)
        assert ("fields.md" in pages) is present
        assert "guides/quickstart.md" in pages


def _anchor(heading: str) -> str:
    """The id Markdown renderers (GitHub's, Python-Markdown's toc) give a heading, for plain headings."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_the_readme_links_lead_to_files_and_headings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", readme)
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert any(link.startswith("docs/guides/") for link in local)
    for link in local:
        path, _, anchor = link.partition("#")
        target = ROOT / path
        assert target.is_file(), link
        if anchor:
            headings = re.findall(r"^#+ (.+)$", target.read_text(encoding="utf-8"), re.MULTILINE)
            assert anchor in {_anchor(h) for h in headings}, link
