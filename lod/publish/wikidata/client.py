"""Credentials for live edits, and the names the publish code uses from lod's one HTTP client.

The client itself (timeouts, ``maxlag``, ``Retry-After``, retries for reads
only, :class:`Uncertain` for a write whose answer was lost) is
:mod:`lod.http`; wikibaseintegrator's calls ride its session (see
:mod:`lod.publish.wikidata.connection`). Credentials come from the
environment only and are never put in a message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from lod.http import CONTACT_ENV, Policy, PoliteSession, Unavailable, Uncertain

USER_ENV: Final = "LOD_WIKIBASE_USER"
PASSWORD_ENV: Final = "LOD_WIKIBASE_PASSWORD"  # noqa: S105 - a variable name, not a secret
OAUTH_ENV: Final = ("LOD_OAUTH_CONSUMER_TOKEN", "LOD_OAUTH_CONSUMER_SECRET",
                    "LOD_OAUTH_ACCESS_TOKEN", "LOD_OAUTH_ACCESS_SECRET")
#: The wiki kept refusing or failing after the bounded retries (one line for the user).
WikiUnavailable = Unavailable

__all__ = ["CONTACT_ENV", "Credentials", "CredentialsError", "Policy", "PoliteSession",
           "Uncertain", "WikiUnavailable", "environment"]


class CredentialsError(Exception):
    """No usable credentials in the environment, or no contact for a wiki whose policy asks for one."""


@dataclass(frozen=True)
class Credentials:
    """A bot password or OAuth 1.0a owner-only tokens; ``repr`` shows neither."""

    user: str = ""
    password: str = ""
    oauth: tuple[str, str, str, str] | None = None

    def __repr__(self) -> str:
        return "Credentials(***)"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Credentials:
        """Read them from the environment (the only place credentials ever come from)."""
        user, password = environ.get(USER_ENV, ""), environ.get(PASSWORD_ENV, "")
        if user and password:
            return cls(user, password)
        tokens = tuple(environ.get(name, "") for name in OAUTH_ENV)
        if all(tokens):
            return cls(oauth=(tokens[0], tokens[1], tokens[2], tokens[3]))
        raise CredentialsError(f"--live needs credentials in the environment: {USER_ENV} and "
                               f"{PASSWORD_ENV} (a bot password), or {', '.join(OAUTH_ENV)}")


def environment() -> dict[str, str]:
    """The process environment (read at the edge, passed down)."""
    return dict(os.environ)
