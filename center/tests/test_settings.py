"""Settings come from the environment; production values are required when DEBUG is off."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(tmp_path, **variables):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env.update(CENTER_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="center.settings", **variables)
    code = "from django.conf import settings; print(settings.SECRET_KEY[:6], settings.DEBUG, settings.TIME_ZONE)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_requires_a_secret_key(tmp_path):
    result = _settings_in_subprocess(tmp_path, DEBUG="false", ALLOWED_HOSTS="center.example.cn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_requires_allowed_hosts(tmp_path):
    result = _settings_in_subprocess(tmp_path, DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_without_the_variable_debug_is_off_and_the_production_values_are_required(tmp_path):
    """Issue 17, finding 11: DEBUG defaulted to true, so a server started without it showed the
    development 404 page with the URL conf."""
    result = _settings_in_subprocess(tmp_path)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    started = _settings_in_subprocess(tmp_path, SECRET_KEY="x" * 50, ALLOWED_HOSTS="center.example.cn")
    assert started.returncode == 0, started.stderr
    assert started.stdout.split()[1] == "False"


def test_development_key_is_generated_once_into_var(tmp_path):
    first = _settings_in_subprocess(tmp_path, DEBUG="true")
    second = _settings_in_subprocess(tmp_path, DEBUG="true")
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "secret_key").exists()
    assert first.stdout == second.stdout
    assert first.stdout.split()[1:] == ["True", "Asia/Shanghai"]


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ is True
