"""The configuration object: built once by the CLI and passed down explicitly."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lod import __version__
from lod.model.policy import PUBLIC_STATUSES, check_statuses
from lod.namespaces import DEFAULT_BASE

DEFAULT_USER_AGENT = (
    f"lod/{__version__} (library case studies as linked open data; "
    "https://github.com/ifla-wikimedia/lod)"
)


class Settings(BaseModel):
    """Where data lives, which IRIs to mint and how to present ourselves to servers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: str = Field(DEFAULT_BASE, description="base IRI of records; ends with '/' or '#'")
    data_dir: Path = Field(Path("casestudies"), description="the case-study files")
    out_dir: Path = Field(Path("dist"), description="where build outputs go")
    shapes_dir: Path | None = Field(None, description="the SHACL shapes (None: the bundled ones)")
    mappings_dir: Path | None = Field(
        None, description="vocabularies and SSSOM ledgers (None: the bundled ones)"
    )
    user_agent: str = Field(DEFAULT_USER_AGENT, description="tool, version and home, sent to every "
                            "server (the operator's contact is added to it)")
    contact: str = Field("", description="the operator's e-mail address or URL, sent in the "
                         "user agent (Wikimedia's user-agent policy)")
    timeout: float = Field(30.0, gt=0, description="network timeout in seconds")
    public_statuses: tuple[str, ...] = Field(
        PUBLIC_STATUSES, description="the record policy: statuses that every output publishes "
        "and counts (lod validate checks every status)")

    @field_validator("base")
    @classmethod
    def _base_iri(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith(("/", "#")):
            raise ValueError(
                f"invalid base IRI {value!r}; expected an http(s) IRI ending in '/' or '#'"
            )
        return value

    @field_validator("public_statuses")
    @classmethod
    def _public_statuses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_statuses(value)

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str) -> str:
        if not value.strip():
            return ""
        from lod.http import check_contact  # requests only when there is a contact to check

        return check_contact(value)

    @property
    def agent(self) -> str:
        """The user agent every client sends: :attr:`user_agent` with the operator's contact."""
        from lod.http import user_agent

        return user_agent(self.user_agent, self.contact)

    @field_validator("user_agent")
    @classmethod
    def _user_agent(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a user agent is required by Wikimedia's policy")
        return value
