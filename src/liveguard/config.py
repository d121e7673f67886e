"""Typed settings, read once from LIVEGUARD_* variables and an optional TOML file.

Precedence, highest first: explicit keyword arguments, environment variables, the TOML
file (``LIVEGUARD_CONFIG`` or ``<data_dir>/liveguard.toml``), defaults. The defaults need
nothing but Python: a SQLite file in the data directory.

Every ``LIVEGUARD_*`` variable is read here and nowhere else (``LIVEGUARD_CONFIG`` and
``LIVEGUARD_DATA_DIR`` also to find the TOML file). Outside development, values that are
unsafe are refused with the variable's name and the fix.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Environment(StrEnum):
    development = "development"
    demo = "demo"
    production = "production"


def default_data_dir() -> Path:
    """XDG data home, so a user install keeps its data where Linux users look for it."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "liveguard"


def default_cache_dir() -> Path:
    """XDG cache home: compiled rule sets, safe to delete."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "liveguard" / "hyperscan"


MAX_SESSION_HOURS_OUTSIDE_DEVELOPMENT = 24
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def cli_language() -> str | None:
    """LIVEGUARD_LANG, the command line's language (zh or en): read before any settings,
    since a command that fails to load them still has to say why in the reader's language."""
    return os.environ.get("LIVEGUARD_LANG")


def _config_file(data_dir: object = None) -> Path | None:
    """LIVEGUARD_CONFIG, else liveguard.toml in the data directory (argument, env, default)."""
    explicit = os.environ.get("LIVEGUARD_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"LIVEGUARD_CONFIG points to {path}, which is not a file")
        return path
    data_dir = data_dir or os.environ.get("LIVEGUARD_DATA_DIR")
    candidate = (
        Path(str(data_dir)).expanduser() if data_dir else default_data_dir()
    ) / "liveguard.toml"
    return candidate if candidate.is_file() else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIVEGUARD_", extra="forbid")

    environment: Environment = Environment.development
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means the SQLite file <data_dir>/liveguard.db",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    nats_url: str | None = Field(
        default=None, description="NATS JetStream server; unset means the in-process bus"
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    reverify_interval_minutes: int = Field(
        default=60, ge=0, description="how often qualification expiry is rechecked; 0 = never"
    )
    promise_check_interval_minutes: int = Field(
        default=60,
        ge=0,
        description="how often broken delivery promises are looked for (and cases opened); "
        "0 = never",
    )
    checkpoint_interval_minutes: int = Field(
        default=10, ge=0, description="how often a grown ledger gets a signed checkpoint; 0 = never"
    )
    case_reminder_interval_minutes: int = Field(
        default=60, ge=0, description="how often overdue case steps are reminded; 0 = never"
    )
    checkpoint_origin: str = Field(
        default="liveguard",
        min_length=1,
        max_length=200,
        description="the log's name in its checkpoints, e.g. the operator's domain",
    )
    blob_url: str | None = Field(
        default=None,
        description="s3://bucket/prefix for an S3-compatible store "
        "(endpoint in LIVEGUARD_S3_ENDPOINT); unset means files under the data directory",
    )
    s3_endpoint: str | None = Field(
        default=None,
        description="the S3-compatible service's URL, e.g. https://minio.internal:9000; "
        "unset means AWS",
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir,
        description="where compiled rule sets are kept between runs",
    )
    log_level: str = "info"
    consumer_identity: str = Field(
        default="password",
        min_length=1,
        max_length=200,
        description="how buyers sign up and sign in: 'password' (LiveGuard's own accounts, "
        "recovery codes) or 'module:factory' for a platform's adapter (docs/consumer_accounts.md)",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        init_kwargs = getattr(init_settings, "init_kwargs", {})
        toml_file = _config_file(init_kwargs.get("data_dir"))
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _database_default(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'liveguard.db'}"
        return self

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Settings:
        """What is fine on a developer's machine but not where people's data is."""
        if self.environment is Environment.development:
            return self
        problems = []
        if self.session_hours > MAX_SESSION_HOURS_OUTSIDE_DEVELOPMENT:
            problems.append(
                f"LIVEGUARD_SESSION_HOURS={self.session_hours}: a console session this long "
                "keeps a stolen cookie usable for days; set it to "
                f"{MAX_SESSION_HOURS_OUTSIDE_DEVELOPMENT} or less"
            )
        if self.blob_url and self.s3_endpoint:
            endpoint = urlsplit(self.s3_endpoint)
            if endpoint.scheme != "https" and endpoint.hostname not in _LOOPBACK:
                problems.append(
                    f"LIVEGUARD_S3_ENDPOINT={self.s3_endpoint}: evidence files would cross "
                    "the network unencrypted; use an https:// endpoint"
                )
        if problems:
            raise ValueError(
                f"unsafe settings for LIVEGUARD_ENVIRONMENT={self.environment.value} "
                "(they are allowed in development): " + "; ".join(problems)
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS: in production (a demo or a developer may use plain HTTP)."""
        return self.environment is Environment.production

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def key_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def checkpoint_log(self) -> Path:
        """Every signed checkpoint, a line each: the ledger's witness outside the database."""
        return self.data_dir / "checkpoints.log"

    def ensure_dirs(self) -> None:
        """Create the data directories, private to this user (0700): they hold the
        database, the evidence files and the keys."""
        for path in (self.data_dir, self.blob_dir, self.key_dir):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.chmod(0o700)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
