"""``python -m tests.wikibase --port PORT --workdir DIR [--seed FILE]``: a test Wikibase in the
foreground on 127.0.0.1, to rehearse a publish by hand. Ctrl-C stops it; ``kill -HUP PID``
reloads its query service from the wiki."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from . import WikibaseSetupError, running_wikibase


def main(argv: list[str] | None = None) -> int:
    """Start the wiki, print where it is, serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.wikibase", description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="port of the wiki on 127.0.0.1")
    parser.add_argument("--workdir", type=Path, required=True, help="empty directory for its state")
    parser.add_argument("--seed", type=Path, help="Wikibase JSON entities to add (Wikidata ids)")
    parser.add_argument("--cache", type=Path,
                        help="keep a populated wiki here and start from a copy of it next time")
    args = parser.parse_args(argv)
    if args.seed is not None and not args.seed.is_file():
        print(f"--seed: no such file: {args.seed}", file=sys.stderr)
        return 2
    refresh = threading.Event()
    stop = threading.Event()
    signal.signal(signal.SIGHUP, lambda *_: refresh.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with running_wikibase(args.workdir, port=args.port, seed_file=args.seed,
                              cache=args.cache) as wiki:
            print(f"API:    {wiki.api_url}")
            print(f"SPARQL: {wiki.sparql_url}")
            for path in wiki.files:
                print(f"wrote:  {path}")
            print(f"ready; kill -HUP {os.getpid()} reloads the query service, Ctrl-C stops",
                  flush=True)
            while not stop.wait(0.2):
                if refresh.is_set():
                    refresh.clear()
                    print(f"query service reloaded: {wiki.refresh()} entities", flush=True)
    except WikibaseSetupError as error:
        print(f"test Wikibase: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
