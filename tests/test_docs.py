"""The README is the user's manual: every setting, CLI command and option, and API endpoint
the code has must be in it, so the docs cannot drift from the code unnoticed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"JIEJIAN_{name.upper()}" in README


def _commands() -> list[tuple[str, list[str]]]:
    import typer.main

    from api.cli import app

    group = typer.main.get_command(app)
    out = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        options = [
            opt
            for param in command.params
            for opt in param.opts
            if opt.startswith("--") and opt != "--help"
        ]
        out.append((name, options))
    return out


@pytest.mark.parametrize(("command", "options"), _commands(), ids=lambda v: str(v))
def test_every_command_and_option_is_documented(command: str, options: list[str]) -> None:
    assert f"jiejian {command}" in README
    missing = [opt for opt in options if opt not in README]
    assert not missing, f"jiejian {command}: {missing} not in README.md"


def _endpoints() -> list[tuple[str, str]]:
    from api.app import create_app

    app = create_app(Settings(data=Path("/nonexistent-jiejian-docs-test")))
    paths = app.openapi()["paths"]
    out = [
        (method.upper(), path)
        for path, item in paths.items()
        if path.startswith("/api/")
        for method in item
    ]
    assert out, "the app has no /api/ endpoints in its OpenAPI schema"
    return out


@pytest.mark.parametrize(("method", "path"), _endpoints())
def test_every_endpoint_is_documented(method: str, path: str) -> None:
    shown = re.sub(r"\{[^}]+\}", "{", path)
    documented = {
        (m, re.sub(r"\{[^}]+\}", "{", p))
        for m, p in re.findall(r"\b(GET|POST|DELETE|PUT|PATCH) (/api/[^\s`?|,]*)", README)
    }
    assert (method, shown) in documented, f"{method} {path} is not in README.md"
