"""wikibaseintegrator's retry log names the login's arguments: it must never reach the terminal."""

from __future__ import annotations

import logging

import pytest
from wikibaseintegrator.wbi_backoff import wbi_backoff_backoff_hdlr

from lod.publish.wikidata.connection import keep_library_logs_private


def test_a_retried_login_never_prints_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    library = logging.getLogger("wikibaseintegrator")
    saved = (list(library.handlers), library.propagate)
    try:
        keep_library_logs_private()
        # what wikibaseintegrator logs when its Login is retried after a connection error
        wbi_backoff_backoff_hdlr({"wait": 1.0, "tries": 1, "args": (),
                                  "kwargs": {"user": "Curator@lod", "password": "s3cret-bot-pw"}})
        captured = capsys.readouterr()
        assert "s3cret-bot-pw" not in captured.out + captured.err
        assert "Curator@lod" not in captured.out + captured.err
    finally:
        library.handlers[:] = saved[0]
        library.propagate = saved[1]


def test_without_it_the_library_would_print_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    """Why the guard exists: Python's last-resort handler prints the record on stderr."""
    library = logging.getLogger("wikibaseintegrator")
    saved = (list(library.handlers), library.propagate)
    root = logging.getLogger()
    root_handlers = list(root.handlers)
    try:
        library.handlers[:] = []
        library.propagate = True
        root.handlers[:] = []
        wbi_backoff_backoff_hdlr({"wait": 1.0, "tries": 1, "args": (),
                                  "kwargs": {"user": "Curator@lod", "password": "s3cret-bot-pw"}})
        assert "s3cret-bot-pw" in capsys.readouterr().err
    finally:
        library.handlers[:] = saved[0]
        library.propagate = saved[1]
        root.handlers[:] = root_handlers
