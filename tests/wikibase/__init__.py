"""A real Wikibase for the tests and for rehearsing a publish by hand (cli.md, "The test Wikibase").

Debian's MediaWiki 1.39 with the bundled Wikibase REL1_39 on SQLite, served by
``php -S`` on 127.0.0.1, plus a real ``oxigraph serve`` loaded with the wiki's own
RDF (``Special:EntityData/Qn.ttl``) as its query service. Like the Wikidata
Query Service it lags: it sees the wiki as of its last :meth:`Wikibase.refresh`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests

from lod.query.server import oxigraph_binary
from tests.ports import unused_port

from .install import (
    ADMIN,
    BOT_ACCOUNT,
    BOT_APP,
    BOT_PASSWORD,
    HERE,
    MEDIAWIKI,
    PLAIN_ACCOUNT,
    WikibaseSetupError,
    install,
    mw_env,
)
from .populate import (
    USER_AGENT,
    Writer,
    base_items,
    create_items,
    create_properties,
    needed_properties,
    seed,
    write_files,
)

__all__ = ["Wikibase", "WikibaseSetupError", "running_wikibase"]


@dataclass
class Wikibase:
    """A running test Wikibase and its query service."""

    url: str
    sparql_base: str
    workdir: Path
    #: Wikidata id -> local id (what DIR/ids.tsv holds).
    ids: dict[str, str]
    #: Local ids of the --seed entities, in file order.
    seeded: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        """The Action API (what ``lod publish wikidata --api`` takes)."""
        return f"{self.url}/api.php"

    @property
    def sparql_url(self) -> str:
        """The SPARQL 1.1 query endpoint (``--sparql``)."""
        return f"{self.sparql_base}/query"

    @property
    def ids_file(self) -> Path:
        """DIR/ids.tsv (``--ids``)."""
        return self.workdir / "ids.tsv"

    @property
    def user(self) -> str:
        """The bot-password user name."""
        return f"{ADMIN}@{BOT_APP}"

    @property
    def password(self) -> str:
        """The bot password (the same for every account here)."""
        return BOT_PASSWORD

    @property
    def bot_user(self) -> str:
        """The bot-password login of an account in the ``bot`` group (it has the bot right)."""
        return f"{BOT_ACCOUNT}@{BOT_APP}"

    @property
    def plain_user(self) -> str:
        """The bot-password login of a plain account, without the bot right (nor sysop's)."""
        return f"{PLAIN_ACCOUNT}@{BOT_APP}"

    def entity_ids(self, *, properties: bool = True) -> list[str]:
        """Every item and property (or item alone) on the wiki, from the page table (not from
        the query service)."""
        found: list[str] = []
        for namespace, prefix in ((0, ""), (120, "Property:"))[:2 if properties else 1]:
            answer = requests.get(self.api_url, params={
                "action": "query", "list": "allpages", "apnamespace": namespace, "aplimit": "max",
                "format": "json"}, headers={"User-Agent": USER_AGENT}, timeout=60).json()
            found += [page["title"].removeprefix(prefix) for page in answer["query"]["allpages"]]
        return [qid for qid in found if qid[:1] in "PQ" and qid[1:].isdigit()]

    def entity_turtle(self, entity: str) -> bytes:
        """The wiki's own RDF of one entity (Wikidata's RDF model, this wiki's IRIs)."""
        answer = requests.get(f"{self.url}/index.php",
                              params={"title": f"Special:EntityData/{entity}.ttl"},
                              headers={"User-Agent": USER_AGENT}, timeout=60)
        answer.raise_for_status()
        return answer.content

    def turtle_of(self, entities: list[str]) -> bytes:
        """The wiki's own RDF of these entities, one Turtle document after the other."""
        with ThreadPoolExecutor(max_workers=4) as pool:
            return b"\n".join(pool.map(self.entity_turtle, entities))

    def refresh(self, known: tuple[set[str], bytes] | None = None) -> int:
        """Reload the query service from the wiki's RDF; return the number of entities loaded.

        ``known``: entities whose RDF is already at hand (a template's, unchanged since),
        with that RDF; only the others are asked of the wiki (one request each, the
        slow part of a start).
        """
        entities = self.entity_ids()
        have, turtle = known or (set(), b"")
        data = b"\n".join([turtle, self.turtle_of([e for e in entities if e not in have])])
        answer = requests.put(f"{self.sparql_base}/store?default", data=data,
                              headers={"Content-Type": "text/turtle"}, timeout=120)
        answer.raise_for_status()
        return len(entities)


def _wait(url: str, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    """Poll until the server answers. Limits against a hang, not measurements: a first answer
    that is slow (PHP compiling MediaWiki on a busy machine) is waited for, not retried."""
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise WikibaseSetupError(f"{what} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=60):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise WikibaseSetupError(f"{what} did not answer within 120 s") from None
            time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started in a session of its own, with its workers (php -S forks them)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _compiled_once(cache: Path | None) -> list[str]:
    """PHP's options for a server whose compiled scripts outlive it (with ``cache``).

    Why: each ``php -S`` starts with an empty opcode cache, so its first requests
    compile MediaWiki and Wikibase again (0.3-0.5 s of CPU a start); OPcache's file
    cache keeps them on disk for the next start. PHP checks each file's timestamp
    and checksum before using it.
    """
    if cache is None:
        return []
    folder = cache.resolve() / "php-opcache"
    folder.mkdir(parents=True, exist_ok=True)
    return ["-d", f"opcache.file_cache={folder}"]


def _template_key() -> str:
    """What a ready-made wiki depends on: the installer, the populator, the tarball, the tables."""
    digest = hashlib.sha256()
    for path in (HERE / "install.py", HERE / "populate.py", HERE / "SHA256SUMS"):
        digest.update(path.read_bytes())
    digest.update(repr((needed_properties(), base_items())).encode())
    digest.update((MEDIAWIKI / "includes" / "Defines.php").read_bytes())  # MediaWiki's version
    digest.update(b"template with entities.ttl")  # what a template folder holds
    return digest.hexdigest()[:16]


def _from_template(template: Path, workdir: Path, port: int
                   ) -> tuple[dict[str, str], tuple[set[str], bytes]]:
    """Start from a copy of a populated wiki: its SQLite files, its settings with our paths and
    port; its ids, and its entities' RDF (with our port)."""
    meta = json.loads((template / "template.json").read_text(encoding="utf-8"))
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template / "data", workdir / "data")
    (workdir / "wikibase-src").symlink_to(template / "wikibase-src")
    for name in ("cache", "images", "tmp"):
        (workdir / name).mkdir(exist_ok=True)
    settings = (template / "LocalSettings.php").read_text(encoding="utf-8")
    # Wikibase's code from the template's own tree, not through the symlink: one path for the
    # scripts of every wiki made from this template, so a compiled copy is found again
    settings = settings.replace(f"{meta['workdir']}/wikibase-src/", f"{template}/wikibase-src/")
    settings = settings.replace(meta["workdir"], str(workdir))
    settings = settings.replace(f"127.0.0.1:{meta['port']}", f"127.0.0.1:{port}")
    (workdir / "LocalSettings.php").write_text(settings, encoding="utf-8")
    turtle = (template / "entities.ttl").read_bytes().replace(
        f"127.0.0.1:{meta['port']}/".encode(), f"127.0.0.1:{port}/".encode())
    return dict(meta["ids"]), (set(meta["entities"]), turtle)


def _save_template(wiki: Wikibase, port: int, template: Path) -> tuple[set[str], bytes]:
    """Keep a populated wiki (before any seed) and its entities' RDF for the next start; written
    whole or not at all. Returns that RDF, for this start's query service."""
    workdir = wiki.workdir
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=template.parent))
    shutil.copytree(workdir / "data", staging / "data")  # first: reading the RDF below writes to
    shutil.copytree(workdir / "wikibase-src", staging / "wikibase-src", symlinks=True)  # the job
    shutil.copy2(workdir / "LocalSettings.php", staging / "LocalSettings.php")  # queue's SQLite
    entities = wiki.entity_ids()
    turtle = wiki.turtle_of(entities)
    (staging / "entities.ttl").write_bytes(turtle)
    (staging / "template.json").write_text(json.dumps({
        "workdir": str(workdir), "port": port, "ids": wiki.ids, "entities": entities}),
        encoding="utf-8")
    try:
        staging.rename(template)
    except OSError:  # another session saved it first
        shutil.rmtree(staging, ignore_errors=True)
    return set(entities), turtle


def _lock(template: Path) -> IO[bytes]:
    """Hold the template's lock (released when the returned file is closed).

    Why: the workers of one test run start their wikis at the same moment; without it
    each would install and populate its own (a minute on a busy machine) instead of
    one preparing the template and the others copying it.
    """
    template.parent.mkdir(parents=True, exist_ok=True)
    handle = (template.parent / f"{template.name}.lock").open("wb")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


@contextmanager
def running_wikibase(workdir: Path, *, port: int | None = None, seed_file: Path | None = None,
                     keep: bool = True, cache: Path | None = None) -> Iterator[Wikibase]:
    """Install, populate and serve a Wikibase in ``workdir``; stop it (and, unless ``keep``, remove
    the directory) afterwards.

    With ``cache``, a populated wiki is kept there and later starts copy it
    (seconds instead of a minute on a busy machine); the seed is always
    applied afresh.
    """
    port = port or unused_port()
    workdir = workdir.resolve()
    if (workdir / "LocalSettings.php").exists():
        raise WikibaseSetupError(f"{workdir} already holds a wiki; give an empty --workdir")
    template = cache.resolve() / f"wikibase-{_template_key()}" if cache else None
    processes: list[subprocess.Popen[bytes]] = []
    building = None  # the lock held while this start prepares the template for the others
    try:
        ids: dict[str, str] | None = None
        known: tuple[set[str], bytes] | None = None
        if template is not None and not (template / "template.json").exists():
            building = _lock(template)  # another start may be preparing it: wait, then copy
        if template is not None and (template / "template.json").exists():
            if building is not None:
                building.close()
                building = None
            ids, known = _from_template(template, workdir, port)
        else:
            install(workdir, port)
        url = f"http://127.0.0.1:{port}"
        php_log = workdir / "php-server.log"
        with php_log.open("wb") as handle:
            processes.append(subprocess.Popen(
                ["php", *_compiled_once(cache), "-S", f"127.0.0.1:{port}", "-t", str(MEDIAWIKI)],
                env=mw_env(workdir), stdout=handle, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True))
        sparql_port = unused_port()
        ox_log = workdir / "oxigraph.log"
        with ox_log.open("wb") as handle:  # started beside PHP, not after its first answer
            processes.append(subprocess.Popen(
                [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{sparql_port}"],
                stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True))
        _wait(f"{url}/api.php?action=query&meta=siteinfo&format=json", processes[0], "php -S",
              php_log)
        sparql_base = f"http://127.0.0.1:{sparql_port}"
        _wait(f"{sparql_base}/query?query=ASK%7B%7D", processes[1], "oxigraph serve", ox_log)
        # logged in only to write: a copy of the template without a seed writes nothing
        writer = Writer(f"{url}/api.php", f"{ADMIN}@{BOT_APP}", BOT_PASSWORD) \
            if ids is None or seed_file else None
        if ids is None:
            assert writer is not None
            ids = create_properties(writer)
            ids.update(create_items(writer, base_items()))
            if template is not None:
                known = _save_template(Wikibase(url, sparql_base, workdir, ids), port, template)
                if building is not None:
                    building.close()
                    building = None
        seeded = seed(writer, seed_file, ids) if writer and seed_file else []
        files = write_files(workdir, ids, f"{ADMIN}@{BOT_APP}", BOT_PASSWORD, seeded)
        wiki = Wikibase(url, sparql_base, workdir, ids, seeded, files)
        wiki.refresh(known)
        yield wiki
    finally:
        if building is not None:
            building.close()
        for process in reversed(processes):
            _stop(process)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
