from __future__ import annotations

import pytest

from lib.settings import Settings, SettingsError


def test_precedence_is_ini_then_environment_then_defines() -> None:
    ini = {"region": "eu-west-1", "user_id": "ini-user", "log_timeout_s": "10"}
    environ = {"WEBORDINARY_USER_ID": "env-user", "WEBORDINARY_LOG_TIMEOUT_S": "20"}
    settings = Settings.load(ini=ini, environ=environ, defines={"log_timeout_s": "30"})
    assert settings.system.region == "eu-west-1"
    assert settings.run.user_id == "env-user"
    assert settings.timing.log_timeout_s == 30.0


def test_unknown_define_names_the_known_settings() -> None:
    with pytest.raises(SettingsError, match=r"-D regoin=x: unknown setting; known: .*region"):
        Settings.load(environ={}, defines={"regoin": "x"})


def test_bad_target_and_bad_number_say_what_is_valid() -> None:
    with pytest.raises(SettingsError, match="target='gcp' is not a target; use one of local, aws"):
        Settings.load(environ={}, defines={"target": "gcp"})
    with pytest.raises(SettingsError, match="log_timeout_s='soon' is not a number"):
        Settings.load(environ={}, defines={"log_timeout_s": "soon"})


def test_github_token_is_never_shown() -> None:
    settings = Settings.load(environ={"GITHUB_TOKEN": "ghp_secret123"})
    assert settings.system.github_token == "ghp_secret123"
    assert "ghp_secret123" not in repr(settings)
    assert "ghp_secret123" not in str(settings.redacted())


def test_the_account_allow_list_takes_only_account_ids() -> None:
    assert Settings.make(aws_account_allowlist="123456789012, 210987654321").system.allowed_accounts == [
        "123456789012", "210987654321"]
    with pytest.raises(SettingsError, match="aws_account_allowlist has 'prod'"):
        Settings.make(aws_account_allowlist="prod")


def test_settings_pointed_at_a_stand_in_take_its_endpoints_and_local_pacing() -> None:
    endpoints = {"aws_endpoint_url": "http://127.0.0.1:1", "github_api_url": "http://127.0.0.1:2",
                 "website_url_pattern": "http://{bucket}.example/", "website_proxy": "http://127.0.0.1:3"}
    local = Settings.make(run_id="abc123").on_local_endpoints(endpoints, deployment_timeout_s=60)
    assert (local.system.aws_endpoint_url, local.system.github_api_url, local.system.website_proxy) == (
        "http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3")
    assert local.system.website_url_pattern == "http://{bucket}.example/" and local.run.run_id == "abc123"
    assert local.system.github_request_gap_s == 0
    assert (local.timing.poll_max_s, local.timing.deployment_timeout_s) == (0.1, 60)
