"""Install a real Wikibase (Debian's MediaWiki 1.39 + the bundled Wikibase REL1_39) on SQLite.

Nothing is written into /usr/share/mediawiki: ``MW_CONFIG_FILE`` points MediaWiki
at a LocalSettings.php in the work directory, which also holds the SQLite files
and the unpacked Wikibase tree. Items live in the main namespace and properties
in namespace 120, as on Wikidata, so ids look like Wikidata's (``Q1``, ``P1``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARBALL = HERE / "wikibase-src.tar.xz"
CHECKSUMS = HERE / "SHA256SUMS"
MEDIAWIKI = Path("/usr/share/mediawiki")
ADMIN = "Admin"
ADMIN_PASSWORD = "Lod-Test-Admin-2026"  # local throw-away wiki on 127.0.0.1 only
BOT_APP = "lod"
#: A bot password must be at least 32 characters of [0-9a-w] (BotPassword::canonicalizeLoginData).
BOT_PASSWORD = "lodtestbotpassword0123456789abcdefgh"
#: Grants of every bot password here: what OpenRefine's guide asks for; ``highvolume`` carries the
#: ``bot`` right, which the account itself must also have for an edit to be flagged.
BOT_GRANTS = "basic,highvolume,editpage,createeditmovepage"
#: An account in the ``bot`` group (a bot approved on that wiki) and a plain account (a person's
#: own account, as when someone publishes through their own bot password), each with a bot password.
BOT_ACCOUNT = "Lod test bot"
PLAIN_ACCOUNT = "Lod test editor"
ACCOUNT_PASSWORD = "Lod-Test-Account-2026"  # local throw-away wiki on 127.0.0.1 only


class WikibaseSetupError(RuntimeError):
    """The test Wikibase could not be installed (missing packages, a damaged tarball...)."""


def check_tarball() -> None:
    """Refuse a tarball whose SHA-256 differs from SHA256SUMS (a damaged or swapped copy)."""
    expected = CHECKSUMS.read_text(encoding="utf-8").split()[0]
    digest = hashlib.sha256(TARBALL.read_bytes()).hexdigest()
    if digest != expected:
        raise WikibaseSetupError(f"{TARBALL}: SHA-256 {digest} differs from {CHECKSUMS} ({expected})")


def unpack(workdir: Path) -> Path:
    """Unpack the Wikibase tree into ``workdir`` once; return the extension's directory."""
    tree = workdir / "wikibase-src" / "Wikibase"
    if not (tree / "extension-repo.json").exists():
        check_tarball()
        with tarfile.open(TARBALL, "r:xz") as archive:
            archive.extractall(workdir, filter="data")
    return tree


def mw_env(workdir: Path) -> dict[str, str]:
    """The environment every PHP process of this wiki runs with."""
    return {**os.environ, "MW_CONFIG_FILE": str(workdir / "LocalSettings.php"),
            "PHP_CLI_SERVER_WORKERS": "4"}


def _php(workdir: Path, script: str, *args: str) -> None:
    command = ["php", str(MEDIAWIKI / "maintenance" / script), *args]
    done = subprocess.run(command, env=mw_env(workdir), capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode != 0:
        raise WikibaseSetupError(f"{script} failed: {(done.stdout + done.stderr)[-2000:]}")


def _settings(workdir: Path, tree: Path, port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return f"""
# --- lod test Wikibase (tests/wikibase/install.py) ---
$wgDBservers = [ [
    'host' => '', 'dbname' => $wgDBname, 'type' => 'sqlite', 'dbDirectory' => $wgSQLiteDataDir,
    'load' => 1, 'flags' => DBO_DEFAULT,
    'variables' => [ 'synchronous' => 'OFF' ],
] ];
require_once "{tree}/vendor/autoload.php";
$wgEnableWikibaseRepo = true;
$wgEnableWikibaseClient = false;
wfLoadExtension( 'WikibaseRepository', "{tree}/extension-repo.json" );
$wgExtraNamespaces[120] = 'Property';
$wgExtraNamespaces[121] = 'Property_talk';
$wgWBRepoSettings['entitySources'] = [
    'local' => [
        'entityNamespaces' => [ 'item' => NS_MAIN, 'property' => 120 ],
        'repoDatabase' => false,
        'baseUri' => '{base}/entity/',
        'rdfNodeNamespacePrefix' => 'wd',
        'rdfPredicateNamespacePrefix' => '',
        'interwikiPrefix' => '',
    ],
];
$wgWBRepoSettings['localEntitySourceName'] = 'local';
$wgCacheDirectory = "{workdir}/cache";
$wgUploadDirectory = "{workdir}/images";
$wgTmpDirectory = "{workdir}/tmp";
$wgMainCacheType = CACHE_NONE;
$wgSessionCacheType = CACHE_DB;
$wgRateLimits = [];
# Passwords hashed with 1,000 PBKDF2 rounds instead of MediaWiki's 30,000: every login of a
# bot password (each live run, each fixture start that writes) cost the server 40 ms of CPU
# hashing it, and no test looks at how the wiki stores a password.
$wgPasswordConfig['pbkdf2']['cost'] = '1000';
"""


def install(workdir: Path, port: int) -> None:
    """A fresh wiki in ``workdir`` for http://127.0.0.1:PORT, with the Wikibase tables and a bot."""
    if shutil.which("php") is None or not (MEDIAWIKI / "maintenance" / "install.php").exists():
        raise WikibaseSetupError("MediaWiki/PHP are not installed: run `make deps` "
                                 "(.ci/install-debian-deps)")
    workdir.mkdir(parents=True, exist_ok=True)
    tree = unpack(workdir)
    for name in ("cache", "images", "tmp"):
        (workdir / name).mkdir(exist_ok=True)
    _php(workdir, "install.php", "--dbtype", "sqlite", "--dbpath", str(workdir / "data"),
         "--dbname", "wikibase", "--confpath", str(workdir), "--server",
         f"http://127.0.0.1:{port}", "--scriptpath", "", "--lang", "en",
         "--pass", ADMIN_PASSWORD, "LodTestWikibase", ADMIN)
    with (workdir / "LocalSettings.php").open("a", encoding="utf-8") as handle:
        handle.write(_settings(workdir, tree, port))
    _php(workdir, "update.php", "--quick")
    _php(workdir, "createBotPassword.php", "--appid", BOT_APP, "--grants", BOT_GRANTS, ADMIN,
         BOT_PASSWORD)
    _php(workdir, "createAndPromote.php", "--bot", BOT_ACCOUNT, ACCOUNT_PASSWORD)
    _php(workdir, "createAndPromote.php", PLAIN_ACCOUNT, ACCOUNT_PASSWORD)
    for account in (BOT_ACCOUNT, PLAIN_ACCOUNT):
        _php(workdir, "createBotPassword.php", "--appid", BOT_APP, "--grants", BOT_GRANTS,
             account, BOT_PASSWORD)
