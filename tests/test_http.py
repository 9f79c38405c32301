"""lod's one HTTP client (lod/http.py), seen from the servers' side.

Every command that goes on the network (harvest, reconcile, query --endpoint,
the Wikidata plan's dry run, the live run) is run for real against real
servers (the test Wikibase, its query service) with tests/faultproxy.py in
between, which records what arrived and answers as a busy wiki does. The
checks are what a wiki operator would see: the same User-Agent with the
operator's contact from every command, ``maxlag`` on every API request, the
dry run's reads waiting as asked and trying again like the live run's.
"""

from __future__ import annotations

import ast
import itertools
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CASESTUDIES, ROOT, Clock, Run, run_lod
from faultproxy import FaultProxy, Seen
from live_wiki import credentials, titled, write_records
from lod import clock as lod_clock
from lod.http import ContactError, Policy, PoliteSession, Unavailable, Uncertain, user_agent
from lod.publish.wikidata.botpolicy import Pacer
from lod.settings import DEFAULT_USER_AGENT
from wikibase import Wikibase, running_wikibase

pytestmark = pytest.mark.usefixtures("only_localhost")

CONTACT = "curator@example.org"
#: Wikimedia's User-Agent policy: tool/version (about; home; contact), the contact in the comment.
AGENT = DEFAULT_USER_AGENT.removesuffix(")") + f"; {CONTACT})"


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory, wikibase_cache: Path) -> Iterator[Wikibase]:
    """A wiki of this module's own (the live run writes to it)."""
    folder = tmp_path_factory.mktemp("http-wiki")
    with running_wikibase(folder / "wiki", cache=wikibase_cache) as running:
        yield running


def _dry_run(wiki: Wikibase, api: str, sparql: str, data: Path, out: Path,
             env: dict[str, str] | None = None) -> Run:
    return run_lod("publish", "wikidata", "--data", data, "--api", api, "--sparql", sparql,
                   "--ids", wiki.ids_file, "--out", out, env=env)


def _api_requests(seen: list[Seen]) -> list[Seen]:
    return [request for request in seen if request.path.startswith("/api.php")]


# --- the dry run's reads -------------------------------------------------------------------------

def test_the_dry_run_honours_maxlag_and_retry_after_and_retries(wiki: Wikibase, tmp_path: Path,
                                                                clock: Clock) -> None:
    """The reads of ``lod publish wikidata`` (no --live) wait as the wiki asks and ask again."""
    data = write_records(tmp_path / "data", "dry", 2)
    with FaultProxy(wiki.url) as api, FaultProxy(wiki.sparql_base) as sparql:
        calm = _dry_run(wiki, f"{api.url}/api.php", sparql.query_url, data, tmp_path / "calm")
        assert calm.code == 0, calm.stderr
        del api.tally.seen[:]
        clock.waits.clear()
        api.arm("maxlag", action="query", retry_after=3)  # siteinfo, the first read
        api.arm("http503", action="query", retry_after=2)
        api.arm("drop", action="wbsearchentities")  # the wiki's own search for the new items
        api.arm("maxlag", action="wbsearchentities", times=2, retry_after=4)
        sparql.arm("answer", action="*", status=429, headers={"Retry-After": "5"})
        busy = _dry_run(wiki, f"{api.url}/api.php", sparql.query_url, data, tmp_path / "busy")
        served = sorted(api.tally.served + sparql.tally.served)
        seen = list(api.tally.seen)
    assert busy.code == 0, busy.stderr
    assert served == sorted(["maxlag:query", "http503:query", "drop:wbsearchentities",
                             "maxlag:wbsearchentities", "maxlag:wbsearchentities", "answer:"])
    # what the wiki asked for, each once per refusal; one backoff (1 s, jittered) after the drop
    asked = sorted(w for w in clock.waits if w >= 2)
    assert asked == [2.0, 3.0, 4.0, 4.0, 5.0]
    backoffs = [w for w in clock.waits if w < 2]
    assert len(backoffs) == 1 and 0.5 <= backoffs[0] <= 1.0
    assert all("maxlag=5" in request.path for request in _api_requests(seen))
    for name in ("plan.json", "quickstatements.txt"):  # the same plan as without the faults
        assert (tmp_path / "busy" / name).read_bytes() == (tmp_path / "calm" / name).read_bytes()


def test_the_dry_run_gives_up_after_the_retries_in_one_line(wiki: Wikibase, tmp_path: Path,
                                                             clock: Clock) -> None:
    data = write_records(tmp_path / "data", "down", 1)
    with FaultProxy(wiki.url) as api:
        api.arm("maxlag", action="*", times=100)
        result = _dry_run(wiki, f"{api.url}/api.php", wiki.sparql_url, data, tmp_path / "out")
        tries = api.requests
    assert result.code == 1
    lines = result.stderr.strip().splitlines()
    assert "maxlag" in lines[0] and "gave up after 5 tries" in lines[0], lines
    assert lines[1:] == [f"nothing was written to {tmp_path / 'out'}"]
    assert tries == 5 and clock.waits == [1.0] * 4  # Retry-After: 1, four times
    assert not (tmp_path / "out" / "plan.json").exists()


# --- one User-Agent, and the login ---------------------------------------------------------------

@dataclass
class Traffic:
    """What each command sent, as the proxies saw it."""

    by_command: dict[str, list[Seen]]
    live: Run
    prefix: str


@pytest.fixture(scope="module")
def traffic(wiki: Wikibase, tmp_path_factory: pytest.TempPathFactory) -> Traffic:
    """Harvest, reconcile, query, the dry run and the live run, each through the proxies,
    with the operator's contact in the environment."""
    tmp = tmp_path_factory.mktemp("traffic")
    env = {"LOD_CONTACT": CONTACT}
    data = write_records(tmp / "data", "agent", 1)
    commands = {
        "harvest": ("harvest", "--api", "{api}", "--prefix", "Nothing here/", "--out",
                    tmp / "drafts"),
        "reconcile": ("reconcile", "--data", CASESTUDIES, "--endpoint", "{sparql}", "--out",
                      tmp / "reconcile" / "p.sssom.tsv", "--no-units"),
        "query": ("query", "by-country", "--endpoint", "{sparql}"),
        "dry run": ("publish", "wikidata", "--data", data, "--api", "{api}", "--sparql",
                    "{sparql}", "--ids", wiki.ids_file, "--out", tmp / "out"),
        "live": ("publish", "wikidata", "--data", data, "--api", "{api}", "--sparql",
                 "{sparql}", "--ids", wiki.ids_file, "--out", tmp / "out", "--live", "--pause",
                 "0"),
    }
    by_command: dict[str, list[Seen]] = {}
    live = Run(1, "", "")
    for name, args in commands.items():
        with FaultProxy(wiki.url) as api, FaultProxy(wiki.sparql_base) as sparql:
            filled = [str(a).format(api=f"{api.url}/api.php", sparql=sparql.query_url)
                      for a in args]
            result = run_lod(*filled, env={**env, **credentials(wiki)} if name == "live" else env)
            assert result.code in {0, 1}, result.stderr  # a harvest that finds nothing says so
            if name in {"dry run", "live"}:
                assert result.code == 0, result.stderr
            if name == "live":
                live = result
            by_command[name] = api.tally.seen + sparql.tally.seen
    return Traffic(by_command, live, "agent")


def test_every_command_sends_one_user_agent_with_the_operators_contact(traffic: Traffic) -> None:
    for name, seen in traffic.by_command.items():
        assert seen, f"{name} sent nothing"
        ours = [request for request in seen if request.user_agent == AGENT]
        assert ours, f"{name} never sent {AGENT!r}: {sorted({r.user_agent for r in seen})}"
        # wikibaseintegrator's own requests (the login, the edits) name it after ours
        for request in seen:
            assert request.user_agent == AGENT or re.fullmatch(
                re.escape(AGENT) + r" WikibaseIntegrator/[\d.]+", request.user_agent), \
                (name, request)


def test_every_api_request_carries_maxlag(traffic: Traffic) -> None:
    """lod's own API reads (GET; wikibaseintegrator's login reads are its own)."""
    for name, seen in traffic.by_command.items():
        ours = [r for r in _api_requests(seen) if r.method == "GET" and r.user_agent == AGENT]
        assert ours or name in {"reconcile", "query"}, name
        for request in ours:
            assert "maxlag=5" in request.path, (name, request.path)


def test_the_live_run_logs_in_and_edits_through_the_polite_session(wiki: Wikibase,
                                                                   traffic: Traffic) -> None:
    """wikibaseintegrator's public Login logged in (its requests carry its name), and every
    request after it, the edit included, went out with lod's manners."""
    assert traffic.live.code == 0
    assert len(titled(wiki, traffic.prefix)) == 1  # the edit landed
    seen = _api_requests(traffic.by_command["live"])
    actions = [request.action for request in seen]
    assert "login" in actions and "wbeditentity" in actions
    login = actions.index("login")
    assert all("WikibaseIntegrator" in r.user_agent for r in seen if r.action == "login")
    after = seen[login + 1:]
    assert any(r.action == "query" and r.user_agent == AGENT for r in after)  # the token, ours
    assert all("maxlag=5" in r.path for r in after if r.method == "GET" and r.user_agent == AGENT)


def _lod_sources() -> Iterator[tuple[Path, str]]:
    for path in sorted((ROOT / "lod").rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")


def test_the_login_uses_no_private_name_of_wikibaseintegrator() -> None:
    """Only wikibaseintegrator's public API: no ``_Login``, no other name with an underscore."""
    for path, text in _lod_sources():
        assert "_Login" not in text, path
        if "wikibaseintegrator" not in text:
            continue  # a module that never names it cannot import it (parsing all of lod is slow)
        tree = ast.parse(text)
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "wikibaseintegrator"):
                for alias in node.names:
                    assert not alias.name.startswith("_"), (path, alias.name)
                    modules.add(alias.asname or alias.name)
            if isinstance(node, ast.Import):
                modules |= {a.asname or a.name for a in node.names
                            if a.name.startswith("wikibaseintegrator")}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in modules:
                assert not node.attr.startswith("_"), (path, node.value.id, node.attr)


def test_one_session_one_retry_loop_one_user_agent_builder_in_lod() -> None:
    """What ``grep -rn "requests.Session\\|User-Agent\\|while.*retr\\|for attempt" lod`` finds
    is lod/http.py alone."""
    pattern = re.compile(r"requests\.Session|User-Agent|while.*retr|for attempt")
    found = [f"{path.relative_to(ROOT)}:{n}" for path, text in _lod_sources()
             for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    assert found and {entry.split(":")[0] for entry in found} == {"lod/http.py"}, found


# --- the client's rules, directly ----------------------------------------------------------------

def test_reads_back_off_with_jitter_and_writes_are_never_resent(clock: Clock) -> None:
    with FaultProxy(None) as proxy:
        proxy.arm("drop", action="*", times=100)
        session = PoliteSession("lod-tests/0", Policy(retries=3), api_url=f"{proxy.url}/api.php")
        with pytest.raises(Unavailable, match="gave up after 4 tries"):
            session.get(f"{proxy.url}/api.php", params={"action": "query"})
        reads = proxy.requests
        with pytest.raises(Uncertain):
            session.post(f"{proxy.url}/api.php", data={"action": "wbeditentity"})
        writes = proxy.requests - reads
    assert reads == 4 and writes == 1
    # 1, 2, 4 s doubled, each somewhere between half and all of it
    assert len(clock.waits) == 3
    assert all(base / 2 <= wait <= base for wait, base in zip(clock.waits, (1, 2, 4), strict=True))


def test_a_refused_write_is_sent_again_as_the_wiki_asks(clock: Clock) -> None:
    """maxlag on a write means the wiki did nothing: sent again after Retry-After, not Uncertain."""
    with FaultProxy(None) as proxy:
        proxy.arm("maxlag", action="wbeditentity", retry_after=2)
        proxy.arm("answer", action="wbeditentity", body=b'{"success": 1}')
        session = PoliteSession("lod-tests/0", api_url=f"{proxy.url}/api.php")
        answer = session.post(f"{proxy.url}/api.php", data={"action": "wbeditentity"})
    assert answer.json() == {"success": 1}
    assert clock.waits == [2.0] and proxy.requests == 2


def test_a_wait_longer_than_the_policy_allows_is_not_waited(clock: Clock) -> None:
    with FaultProxy(None) as proxy:
        proxy.arm("answer", action="*", status=503, headers={"Retry-After": "3600"})
        session = PoliteSession("lod-tests/0", Policy(longest_wait=120))
        with pytest.raises(Unavailable, match="asks to wait 3600 s, more than 120 s"):
            session.get(f"{proxy.url}/query")
    assert clock.waits == [] and proxy.requests == 1


_comment = st.text(st.characters(whitelist_categories=("L", "N"), whitelist_characters=" .;/:"),
                   min_size=1, max_size=40).filter(lambda text: ")" not in text)
# The shapes of r"[a-z0-9._-]{1,12}@[a-z0-9-]{1,12}\.[a-z]{2,6}",
# r"https://[a-z0-9-]{1,12}\.org/wiki/User:[A-Za-z0-9_]{1,12}" and r"[a-z]{1,8}/[0-9]\.[0-9]",
# built from their parts: st.from_regex drew the same strings at several times the cost.
_LOWER, _DIGITS = string.ascii_lowercase, string.digits


def _part(alphabet: str, least: int, most: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(alphabet), min_size=least, max_size=most)


_email = st.builds("{}@{}.{}".format, _part(_LOWER + _DIGITS + "._-", 1, 12),
                   _part(_LOWER + _DIGITS + "-", 1, 12), _part(_LOWER, 2, 6))
_url = st.builds("https://{}.org/wiki/User:{}".format, _part(_LOWER + _DIGITS + "-", 1, 12),
                 _part(string.ascii_letters + _DIGITS + "_", 1, 12))
_tool = st.builds("{}/{}.{}".format, _part(_LOWER, 1, 8), _part(_DIGITS, 1, 1),
                  _part(_DIGITS, 1, 1))


@given(_tool, _comment, _email | _url)
def test_the_contact_goes_inside_the_comment(tool: str, about: str, contact: str) -> None:
    """Wikimedia's example ``CoolBot/0.0 (https://example.org/coolbot/; coolbot@example.org)``."""
    assert user_agent(f"{tool} ({about})", contact) == f"{tool} ({about}; {contact})"
    assert user_agent(tool, contact) == f"{tool} ({contact})"
    assert user_agent(f"{tool} ({about})", "") == f"{tool} ({about})"


@pytest.mark.parametrize("contact", ["nobody", "curator at example.org", "ftp://example.org"])
def test_a_contact_is_an_email_address_or_a_url(contact: str) -> None:
    with pytest.raises(ContactError):
        user_agent("lod/0.1", contact)
    assert run_lod("reconcile", "--data", CASESTUDIES, env={"LOD_CONTACT": contact}).code == 2


def test_the_pacer_waits_on_lods_clock(clock: Clock) -> None:
    """Two edits are at least the interval apart on lod's clock, and the test clock took the wait."""
    pacer = Pacer(10.0)
    moments = []
    for _ in range(3):
        pacer.before_edit()
        moments.append(lod_clock.monotonic())
    assert len(clock.waits) == 2 and all(0 < wait <= 10.0 for wait in clock.waits)
    # (less the instant between the pacer's reading of the clock and ours)
    assert all(later - earlier > 9.9 for earlier, later in itertools.pairwise(moments)), moments
