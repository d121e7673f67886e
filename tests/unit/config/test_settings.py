"""Settings from LIVEGUARD_* variables and a TOML file, never from the real home directory;
unsafe values refused outside development."""

import os

import pytest
from pydantic import ValidationError

from liveguard.config import Environment, Settings, default_data_dir


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An isolated home, XDG data home and data directory; no other LIVEGUARD_* variable."""
    for name in list(os.environ):
        if name.startswith("LIVEGUARD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def test_the_defaults_need_nothing_but_a_data_directory(data_dir):
    settings = Settings()
    assert settings.environment is Environment.development
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.nats_url is None
    assert settings.data_dir == data_dir.resolve()


def test_the_default_database_is_the_sqlite_file_in_the_data_directory(data_dir):
    settings = Settings()
    assert settings.database_url == f"sqlite:///{data_dir.resolve() / 'liveguard.db'}"
    assert settings.is_sqlite


def test_blobs_and_keys_live_in_the_data_directory(data_dir):
    settings = Settings()
    assert settings.blob_dir == data_dir.resolve() / "blobs"
    assert settings.key_dir == data_dir.resolve() / "keys"


def test_ensure_dirs_creates_a_private_key_directory(data_dir):
    settings = Settings()
    settings.ensure_dirs()
    assert settings.blob_dir.is_dir()
    assert settings.key_dir.stat().st_mode & 0o777 == 0o700


def test_the_data_directories_are_private_to_this_user_whatever_the_umask(data_dir, tmp_path):
    previous = os.umask(0o022)
    try:
        fresh = Settings(data_dir=tmp_path / "fresh" / "liveguard")
        fresh.ensure_dirs()
        Settings().ensure_dirs()  # an existing directory is made private too
    finally:
        os.umask(previous)
    for settings in (fresh, Settings()):
        for path in (settings.data_dir, settings.blob_dir, settings.key_dir):
            assert path.stat().st_mode & 0o777 == 0o700, path


def test_the_data_directory_defaults_to_the_xdg_data_home(data_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("LIVEGUARD_DATA_DIR")
    assert default_data_dir() == tmp_path / "xdg" / "liveguard"
    assert Settings().data_dir == (tmp_path / "xdg" / "liveguard").resolve()


def test_without_xdg_data_home_the_data_directory_is_under_home(data_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("LIVEGUARD_DATA_DIR")
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "liveguard"


def test_a_relative_data_directory_is_made_absolute(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", "relative")
    assert Settings().data_dir == (tmp_path / "relative").resolve()


def test_liveguard_variables_set_the_settings(data_dir, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_ENVIRONMENT", "production")
    monkeypatch.setenv("LIVEGUARD_DATABASE_URL", "postgresql+psycopg://db/liveguard")
    monkeypatch.setenv("LIVEGUARD_HOST", "0.0.0.0")
    monkeypatch.setenv("LIVEGUARD_PORT", "9100")
    monkeypatch.setenv("LIVEGUARD_NATS_URL", "nats://localhost:4222")
    monkeypatch.setenv("LIVEGUARD_SESSION_HOURS", "8")
    monkeypatch.setenv("LIVEGUARD_REVERIFY_INTERVAL_MINUTES", "0")
    settings = Settings()
    assert settings.environment is Environment.production
    assert settings.database_url == "postgresql+psycopg://db/liveguard"
    assert not settings.is_sqlite
    assert settings.host == "0.0.0.0"
    assert settings.port == 9100
    assert settings.nats_url == "nats://localhost:4222"
    assert settings.session_hours == 8
    assert settings.reverify_interval_minutes == 0


def test_the_toml_file_in_the_data_directory_is_read(data_dir):
    (data_dir / "liveguard.toml").write_text('port = 9000\nenvironment = "demo"\n')
    settings = Settings()
    assert settings.port == 9000
    assert settings.environment is Environment.demo


def test_the_toml_file_named_by_liveguard_config_is_read(data_dir, tmp_path, monkeypatch):
    config = tmp_path / "elsewhere.toml"
    config.write_text('host = "10.0.0.1"\n')
    (data_dir / "liveguard.toml").write_text('host = "10.0.0.2"\n')
    monkeypatch.setenv("LIVEGUARD_CONFIG", str(config))
    assert Settings().host == "10.0.0.1"


def test_the_toml_file_can_move_the_database(data_dir):
    (data_dir / "liveguard.toml").write_text('database_url = "sqlite:////srv/lg.db"\n')
    assert Settings().database_url == "sqlite:////srv/lg.db"


def test_an_environment_variable_beats_the_toml_file(data_dir, monkeypatch):
    (data_dir / "liveguard.toml").write_text("port = 9000\nsession_hours = 2\n")
    monkeypatch.setenv("LIVEGUARD_PORT", "9100")
    settings = Settings()
    assert settings.port == 9100
    assert settings.session_hours == 2


def test_a_keyword_argument_beats_the_environment(data_dir, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_PORT", "9100")
    assert Settings(port=9200).port == 9200


def test_liveguard_config_pointing_to_a_missing_file_is_an_error(data_dir, tmp_path, monkeypatch):
    missing = tmp_path / "missing.toml"
    monkeypatch.setenv("LIVEGUARD_CONFIG", str(missing))
    with pytest.raises(FileNotFoundError, match=f"LIVEGUARD_CONFIG points to {missing}"):
        Settings()


def test_liveguard_config_pointing_to_a_directory_is_an_error(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_CONFIG", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="which is not a file"):
        Settings()


def test_an_unknown_key_in_the_toml_file_is_refused(data_dir):
    (data_dir / "liveguard.toml").write_text("prot = 9000\n")
    with pytest.raises(ValidationError, match="prot"):
        Settings()


def test_an_unknown_keyword_is_refused(data_dir):
    with pytest.raises(ValidationError, match="prot"):
        Settings(prot=9000)


@pytest.mark.parametrize("port", ["0", "65536", "-1", "http"])
def test_an_invalid_port_is_refused(data_dir, monkeypatch, port):
    monkeypatch.setenv("LIVEGUARD_PORT", port)
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_an_invalid_port_in_the_toml_file_is_refused(data_dir):
    (data_dir / "liveguard.toml").write_text("port = 70000\n")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_an_unknown_environment_is_refused(data_dir, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_ENVIRONMENT", "staging")
    with pytest.raises(ValidationError, match="environment"):
        Settings()


@pytest.mark.parametrize("hours", ["0", "721"])
def test_a_session_length_outside_one_hour_to_thirty_days_is_refused(data_dir, monkeypatch, hours):
    monkeypatch.setenv("LIVEGUARD_SESSION_HOURS", hours)
    with pytest.raises(ValidationError, match="session_hours"):
        Settings()


def test_the_toml_file_is_found_under_a_data_directory_given_with_a_tilde(
    data_dir, tmp_path, monkeypatch
):
    home_data = tmp_path / "home" / "lg"
    home_data.mkdir(parents=True)
    (home_data / "liveguard.toml").write_text("port = 9000\n")
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", "~/lg")
    settings = Settings()
    assert settings.data_dir == home_data.resolve()
    assert settings.port == 9000


def test_the_rule_set_cache_is_under_the_xdg_cache_home(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert Settings().cache_dir == tmp_path / "cache" / "liveguard" / "hyperscan"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert Settings().cache_dir == tmp_path / "home" / ".cache" / "liveguard" / "hyperscan"


def test_liveguard_cache_dir_moves_the_rule_set_cache(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_CACHE_DIR", str(tmp_path / "hs"))
    assert Settings().cache_dir == tmp_path / "hs"


def test_liveguard_s3_endpoint_is_a_setting(data_dir, monkeypatch):
    assert Settings().s3_endpoint is None
    monkeypatch.setenv("LIVEGUARD_S3_ENDPOINT", "https://minio.internal:9000")
    assert Settings().s3_endpoint == "https://minio.internal:9000"


def test_cookies_are_secure_only_in_production(data_dir):
    assert [Settings(environment=e).secure_cookies for e in Environment] == [False, False, True]


@pytest.mark.parametrize("environment", ["production", "demo"])
def test_a_session_longer_than_a_day_is_refused_outside_development(
    data_dir, monkeypatch, environment
):
    monkeypatch.setenv("LIVEGUARD_ENVIRONMENT", environment)
    monkeypatch.setenv("LIVEGUARD_SESSION_HOURS", "72")
    with pytest.raises(ValidationError) as raised:
        Settings()
    message = str(raised.value)
    assert f"unsafe settings for LIVEGUARD_ENVIRONMENT={environment}" in message
    assert "LIVEGUARD_SESSION_HOURS=72" in message and "set it to 24 or less" in message
    monkeypatch.setenv("LIVEGUARD_SESSION_HOURS", "24")
    assert Settings().session_hours == 24


def test_a_developer_may_keep_a_session_for_days(data_dir, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_SESSION_HOURS", "72")
    assert Settings().session_hours == 72


def test_an_unencrypted_object_store_across_the_network_is_refused_in_production(
    data_dir, monkeypatch
):
    monkeypatch.setenv("LIVEGUARD_ENVIRONMENT", "production")
    monkeypatch.setenv("LIVEGUARD_BLOB_URL", "s3://evidence/lg")
    monkeypatch.setenv("LIVEGUARD_S3_ENDPOINT", "http://minio.internal:9000")
    with pytest.raises(ValidationError, match=r"LIVEGUARD_S3_ENDPOINT=http://minio\.internal"):
        Settings()
    monkeypatch.setenv("LIVEGUARD_S3_ENDPOINT", "https://minio.internal:9000")
    assert Settings().s3_endpoint == "https://minio.internal:9000"
    monkeypatch.setenv("LIVEGUARD_S3_ENDPOINT", "http://127.0.0.1:9000")
    assert Settings().s3_endpoint == "http://127.0.0.1:9000"


def test_a_developer_may_use_a_plain_http_object_store(data_dir, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_BLOB_URL", "s3://evidence/lg")
    monkeypatch.setenv("LIVEGUARD_S3_ENDPOINT", "http://minio.internal:9000")
    assert Settings().s3_endpoint == "http://minio.internal:9000"


def test_no_module_but_config_reads_a_liveguard_variable():
    import ast
    from pathlib import Path

    import liveguard

    readers = []
    for path in Path(liveguard.__file__).parent.rglob("*.py"):
        if path.name == "config.py" and path.parent.name == "liveguard":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call | ast.Subscript):
                continue
            text = ast.unparse(node)
            if ("environ" in text or "getenv" in text) and "LIVEGUARD_" in text:
                readers.append(f"{path.name}:{node.lineno}")
    assert readers == []
