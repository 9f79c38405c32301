"""Real local services for tests, started and stopped by the tests themselves.

Everything binds 127.0.0.1 on a free port; nothing leaves the machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lod.query.server import oxigraph_binary
from tests.ports import unused_port


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a server to stop, and make sure it has."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Oxigraph:
    """A running ``oxigraph serve``."""

    url: str

    @property
    def query_url(self) -> str:
        """SPARQL 1.1 query endpoint."""
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        """SPARQL 1.1 update endpoint."""
        return f"{self.url}/update"

    def load(self, data: bytes, content_type: str = "text/turtle") -> None:
        """Add triples to the default graph over the Graph Store Protocol."""
        request = urllib.request.Request(
            f"{self.url}/store?default", data=data, method="POST",
            headers={"Content-Type": content_type},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            if response.status not in (200, 201, 204):
                raise RuntimeError(f"loading into Oxigraph failed: HTTP {response.status}")


@contextmanager
def oxigraph_server(*, files: list[Path] | None = None) -> Iterator[Oxigraph]:
    """Start ``oxigraph serve`` on 127.0.0.1 (optionally bulk-loaded), stop it afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="oxigraph-"))
    location = workdir / "store"
    binary = oxigraph_binary()
    for path in files or []:
        subprocess.run([binary, "load", "--location", str(location), "--file", str(path)],
                       check=True, capture_output=True, timeout=300)
    port = unused_port()
    command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {process.stderr.read() if process.stderr else ''!r}")
            try:
                with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start within 30 s") from None
                time.sleep(0.05)
        yield Oxigraph(url)
    finally:
        stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


# --- MediaWiki (Debian's package on SQLite, served by `php -S`) -------------------------------

MEDIAWIKI_CODE = Path("/usr/share/mediawiki")
MEDIAWIKI_BOT = ("Admin@lod", "0123456789abcdef0123456789abcdef")  # bot passwords: [0-9a-w], >= 32


class MediaWiki:
    """A running test wiki: its URLs, a logged-in bot session and the server's request log."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log
        self._session: object | None = None
        self._csrf: str | None = None

    @property
    def api_url(self) -> str:
        """The Action API endpoint."""
        return f"{self.url}/api.php"

    def _bot(self):  # -> requests.Session (imported lazily)
        import requests

        if self._session is None:
            session = requests.Session()
            session.headers["User-Agent"] = "lod-tests/0.1 (fixture; 127.0.0.1 only)"
            base = {"format": "json", "formatversion": "2"}
            token = session.get(self.api_url, params={**base, "action": "query", "meta": "tokens",
                                                      "type": "login"}, timeout=30).json()
            answer = session.post(self.api_url, data={
                **base, "action": "login", "lgname": MEDIAWIKI_BOT[0], "lgpassword": MEDIAWIKI_BOT[1],
                "lgtoken": token["query"]["tokens"]["logintoken"]}, timeout=30).json()
            if answer.get("login", {}).get("result") != "Success":
                raise RuntimeError(f"bot login failed: {answer}")
            self._session = session
        return self._session

    def edit(self, title: str, text: str, summary: str = "lod test fixture") -> int:
        """Create or replace a page through the API as the bot; return the new revision id."""
        session = self._bot()
        base = {"format": "json", "formatversion": "2"}
        if self._csrf is None:  # one token serves the bot session's every edit
            self._csrf = session.get(self.api_url, params={**base, "action": "query", "meta": "tokens"},
                                     timeout=30).json()["query"]["tokens"]["csrftoken"]
        csrf = self._csrf
        answer = session.post(self.api_url, data={
            **base, "action": "edit", "title": title, "text": text, "summary": summary, "bot": "1",
            "assert": "user", "token": csrf}, timeout=60).json()
        if answer.get("edit", {}).get("result") != "Success":
            raise RuntimeError(f"edit of {title!r} failed: {answer}")
        return int(answer["edit"].get("newrevid") or answer["edit"]["oldrevid"])

    def export(self, titles: list[str]) -> bytes:
        """The pages' current revisions as Special:Export XML (what a curator would download)."""
        from urllib.parse import urlencode

        data = urlencode({"title": "Special:Export", "pages": "\n".join(titles),
                                       "curonly": "1", "action": "submit"}).encode()
        with urllib.request.urlopen(f"{self.url}/index.php", data=data, timeout=60) as response:
            return bytes(response.read())

    def requests_logged(self) -> list[str]:
        """Every request line the server logged so far ("GET /api.php?...")."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return [line.split("]: ", 1)[1] for line in lines if "]: " in line]


#: What ``install.php`` is given besides the paths and the address (each start, or the template).
_MEDIAWIKI_INSTALL = ("--quiet", "--dbtype", "sqlite", "--dbname", "testwiki", "--scriptpath", "",
                      "--lang", "en", "--pass", "Lod-Test-Admin-2026", "LodTestWiki", "Admin")
_MEDIAWIKI_GRANTS = "basic,highvolume,editpage,createeditmovepage"


def _install_mediawiki(workdir: Path, url: str) -> None:
    """A fresh wiki in ``workdir`` (SQLite files in ``workdir/data``, its LocalSettings.php) for
    ``url``, with the bot password :data:`MEDIAWIKI_BOT`."""
    env = {**os.environ, "MW_CONFIG_FILE": str(workdir / "LocalSettings.php")}
    maintenance = MEDIAWIKI_CODE / "maintenance"
    subprocess.run(
        ["php", str(maintenance / "install.php"), "--dbpath", str(workdir / "data"),
         "--server", url, "--confpath", str(workdir), *_MEDIAWIKI_INSTALL],
        env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(
        ["php", str(maintenance / "createBotPassword.php"), "--appid", "lod",
         "--grants", _MEDIAWIKI_GRANTS, "Admin", MEDIAWIKI_BOT[1]],
        env=env, check=True, capture_output=True, timeout=60)


def _mediawiki_template(cache: Path) -> Path:
    """A freshly installed wiki kept in ``cache`` (made once, by the first start that needs it,
    while any other waits on its lock), which later starts copy.

    Why: ``install.php`` creates every table and the administrator, and hashes its
    password: most of a start's time, the same every time. The template is taken
    before any server opens its SQLite files, so a copy never catches them half
    written; its name changes with MediaWiki's version and with what the install is
    given (:func:`_install_mediawiki`).
    """
    digest = hashlib.sha256((MEDIAWIKI_CODE / "includes" / "Defines.php").read_bytes())
    digest.update(repr((_MEDIAWIKI_INSTALL, _MEDIAWIKI_GRANTS, MEDIAWIKI_BOT)).encode())
    template = cache.resolve() / f"mediawiki-{digest.hexdigest()[:16]}"
    if (template / "template.json").exists():
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    with (template.parent / f"{template.name}.lock").open("wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / "template.json").exists():
            staging = Path(tempfile.mkdtemp(prefix=".staging-mediawiki-", dir=template.parent))
            url = "http://127.0.0.1:1"  # any address: a copy is given its own
            _install_mediawiki(staging, url)
            (staging / "template.json").write_text(
                json.dumps({"workdir": str(staging), "url": url}), encoding="utf-8")
            staging.rename(template)  # whole or not at all
    return template


def _from_mediawiki_template(template: Path, workdir: Path, url: str) -> None:
    """``workdir`` made a copy of the template: its SQLite files, its settings with our folder
    and address."""
    meta = json.loads((template / "template.json").read_text(encoding="utf-8"))
    shutil.copytree(template / "data", workdir / "data")
    settings = (template / "LocalSettings.php").read_text(encoding="utf-8")
    settings = settings.replace(f'"{meta["url"]}"', f'"{url}"').replace(meta["workdir"], str(workdir))
    (workdir / "LocalSettings.php").write_text(settings, encoding="utf-8")


@contextmanager
def mediawiki_server(cache: Path | None = None) -> Iterator[MediaWiki]:
    """Install a fresh wiki in a temporary directory and serve it on 127.0.0.1; remove it after.

    The code stays in /usr/share/mediawiki; MW_CONFIG_FILE points it at a private
    LocalSettings.php and SQLite files (shared/research/local-services.md).
    With ``cache`` (the folder where test wikis are kept between runs), the wiki is a
    copy of a freshly installed one (:func:`_mediawiki_template`) and PHP keeps its
    compiled scripts there (OPcache's file cache), as the test Wikibase does.
    """
    if not (MEDIAWIKI_CODE / "maintenance" / "install.php").exists() or shutil.which("php") is None:
        raise RuntimeError("MediaWiki is not installed: run `make deps` (.ci/install-debian-deps)")
    workdir = Path(tempfile.mkdtemp(prefix="mediawiki-"))
    port = unused_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MW_CONFIG_FILE": str(workdir / "LocalSettings.php")}
    log = workdir / "php-server.log"
    process: subprocess.Popen[bytes] | None = None
    compiled: list[str] = []
    try:
        if cache is None:
            _install_mediawiki(workdir, url)
        else:
            _from_mediawiki_template(_mediawiki_template(cache), workdir, url)
            (cache.resolve() / "php-opcache").mkdir(parents=True, exist_ok=True)
            compiled = ["-d", f"opcache.file_cache={cache.resolve() / 'php-opcache'}"]
        with log.open("wb") as handle:
            process = subprocess.Popen(["php", *compiled, "-S", f"127.0.0.1:{port}",
                                        "-t", str(MEDIAWIKI_CODE)],
                                       env=env, stdout=handle, stderr=subprocess.STDOUT)
        # Limits against a hang, not measurements: MediaWiki's first answer compiles its PHP,
        # which on a busy machine took longer than the 5 s a try used to have (a timeout, not
        # a refusal, failed the whole module).
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"php -S exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api.php?action=query&meta=siteinfo&format=json",
                                            timeout=60):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError("MediaWiki did not answer within 120 s") from None
                time.sleep(0.05)
        yield MediaWiki(url, log)
    finally:
        if process is not None:
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)
