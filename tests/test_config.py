from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, parse_hhmm


def test_defaults_need_no_accounts_or_keys(tmp_path: Path) -> None:
    settings = load_settings(env={"USCHINA_CONFIG": str(_write(tmp_path, ""))})
    assert set(settings.adapters) == {"console"} and settings.llm is None
    assert settings.console
    assert {s.kind for s in settings.sources} <= {"official", "wire", "outlet", "commentary"}
    assert any(s.kind == "official" for s in settings.sources)


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = _write(tmp_path, 'timezone = "Asia/Shanghai"\ndigest_time = "07:00"\n')
    settings = load_settings(env={"USCHINA_CONFIG": str(path), "USCHINA_DB": "x.db", "USCHINA_HTTP_PORT": "0",
                                  "USCHINA_ALERT_MIN_CONFIDENCE": "0.8"})
    assert settings.timezone == "Asia/Shanghai"
    assert settings.alert_min_confidence == 0.8
    assert settings.digest_time == "07:00"
    assert str(settings.db_path) == "x.db"
    assert settings.http_port == 0


def test_file_sources_replace_the_starter_list(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[sources]]\nurl = "https://example.org/feed"\nname = "Example"\nkind = "wire"\n')
    settings = load_settings(env={"USCHINA_CONFIG": str(path)})
    assert [(s.url, s.kind) for s in settings.sources] == [("https://example.org/feed", "wire")]


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        ("timezone = 'Mars/Olympus'", {}, "unknown time zone"),
        ("relevance_threshold = 3", {}, "between 0 and 1"),
        ("", {"USCHINA_ALERT_MIN_CONFIDENCE": "high"}, "alert_min_confidence"),
        ("[[sources]]\nname = 'no url'", {}, "needs a url"),
        ("[[sources]]\nurl = 'https://x.org'\nkind = 'blog'", {}, "kind must be one of"),
        ("this is = = not toml", {}, "cannot read configuration"),
        ("", {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is required"),
        ("", {"DISCORD_TOKEN": "t", "DISCORD_GUILD_IDS": "12,abc"}, "DISCORD_GUILD_IDS"),
        ("", {"USCHINA_HTTP_PORT": "http"}, "port number"),
        ("", {"USCHINA_LLM_BASE_URL": "file:///etc/passwd"}, r"http\(s\) URL"),
    ],
)
def test_bad_configuration_gets_one_clear_line(tmp_path: Path, content: str, env: dict, message: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(env={"USCHINA_CONFIG": str(path), **env})
    assert "\n" not in str(info.value)


def test_missing_named_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(env={"USCHINA_CONFIG": str(tmp_path / "nope.toml")})


def test_secrets_stay_out_of_repr(tmp_path: Path) -> None:
    env = {"USCHINA_CONFIG": str(_write(tmp_path, "")), "SLACK_BOT_TOKEN": "xoxb-secret-123",
           "SLACK_SIGNING_SECRET": "shh-456", "DISCORD_TOKEN": "discord-789", "USCHINA_LLM_BASE_URL": "http://l",
           "USCHINA_LLM_API_KEY": "sk-000"}
    text = repr(load_settings(env=env))
    for secret in ("xoxb-secret-123", "shh-456", "discord-789", "sk-000"):
        assert secret not in text


@pytest.mark.parametrize(("text", "expected"), [("08:00", (8, 0)), ("7:05", (7, 5)), ("23:59", (23, 59))])
def test_parse_hhmm(text: str, expected: tuple[int, int]) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("text", ["24:00", "8", "08:60", "noon", ""])
def test_parse_hhmm_rejects(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_hhmm(text)


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "uschina.toml"
    path.write_text(content, encoding="utf-8")
    return path
