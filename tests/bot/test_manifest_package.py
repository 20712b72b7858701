"""``classroom-bot manifest build``: the Teams app package, validated offline before it is written."""

from __future__ import annotations

import importlib.util
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from bot.cli import main
from bot.manifest_package import (
    SCHEMA_ROOT,
    TEMPLATE_DIR,
    bundled_schema_versions,
    check_package_file,
    expected_command_lists,
    menu_commands,
    registered_commands,
)
from dialogs.routing import EVERYONE, Router
from storage.models import Role
from tests.support.node_tools import require_node_package, run_node

APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
SETTINGS = {
    "MICROSOFT_APP_ID": APP_ID,
    "BOT_DOMAIN": "classroom.example.org",
    "TEAMS_APP_DEVELOPER_NAME": "Example Training Partnership",
    "TEAMS_APP_WEBSITE_URL": "https://training.example.org/",
    "TEAMS_APP_PRIVACY_URL": "https://training.example.org/privacy",
    "TEAMS_APP_TERMS_URL": "https://training.example.org/terms",
}
MEETING_PERMISSIONS = {
    "OnlineMeeting.ReadBasic.Chat",
    "ChannelMeeting.ReadBasic.Group",
    "OnlineMeetingParticipant.Read.Chat",
}


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Settings for a real deployment, from the environment; no stray .env from the checkout."""
    monkeypatch.chdir(tmp_path)
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)
    return tmp_path


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A copy of manifest/ (template and icons) to break, its command lists in step with the registry (whether or
    not manifest/manifest.json is: that has its own test) so each test sees only the problem it makes."""
    folder = tmp_path / "template"
    folder.mkdir()
    for name in ("manifest.json", "color.png", "outline.png"):
        shutil.copy(TEMPLATE_DIR / name, folder / name)
    _edit_template(folder, lambda m: m["bots"][0].update(commandLists=expected_command_lists(registered_commands())))
    return folder


def _edit_template(folder: Path, change: Any) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _build(out: Path, template_dir: Path | None = None) -> int:
    argv = ["manifest", "build", "--out", str(out)]
    if template_dir is not None:
        argv += ["--template-dir", str(template_dir)]
    return main(argv)


def _problems(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def test_build_writes_a_package_that_passes_every_check(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = configured / "build" / "classroom.zip"
    assert _build(out) == 0
    assert "Wrote the Teams app package" in capsys.readouterr().out
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        text = package.read("manifest.json").decode("utf-8")
    assert check_package_file(out) == []
    assert "${{" not in text
    assert manifest["manifestVersion"] == bundled_schema_versions()[-1]
    assert manifest["id"] == manifest["bots"][0]["botId"] == manifest["webApplicationInfo"]["id"] == APP_ID
    assert manifest["validDomains"] == ["classroom.example.org"]
    assert manifest["developer"] == {
        "name": "Example Training Partnership",
        "websiteUrl": "https://training.example.org/",
        "privacyUrl": "https://training.example.org/privacy",
        "termsOfUseUrl": "https://training.example.org/terms",
    }
    assert sorted(manifest["bots"][0]["scopes"]) == ["groupChat", "personal", "team"]
    rsc = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {p["name"] for p in rsc} == MEETING_PERMISSIONS and {p["type"] for p in rsc} == {"Application"}


def test_the_same_settings_build_the_same_bytes(configured: Path, template: Path) -> None:
    assert _build(configured / "a.zip", template) == 0
    assert _build(configured / "b.zip", template) == 0
    assert (configured / "a.zip").read_bytes() == (configured / "b.zip").read_bytes()


def test_manifest_command_lists_are_in_step_with_the_bots_commands() -> None:
    """Every command the bot answers is listed for each scope it works in, and nothing else is."""
    template = json.loads((TEMPLATE_DIR / "manifest.json").read_text(encoding="utf-8"))
    expected = expected_command_lists(registered_commands())
    assert template["bots"][0]["commandLists"] == expected, (
        "manifest/manifest.json lists other commands than the bot answers: run `python manifest/sync_commands.py`"
    )
    assert all(len(command_list["commands"]) <= 10 for command_list in expected), "Teams shows at most 10 commands"
    assert all(command_list["commands"][-1]["title"] == "help" for command_list in expected)


def test_the_menu_offers_ten_commands_everyones_first_and_always_help() -> None:
    async def handler(_request: object) -> None:
        return None

    def router_with(anyone: int, limited: int) -> Router:
        router = Router()
        for index in range(anyone):
            router.command(f"open{index}", roles=EVERYONE, description="for anyone")(handler)
        for index in range(limited):
            router.command(f"staff{index}", description="for coordinators", roles=[Role.COORDINATOR])(handler)
        router.command("help", roles=EVERYONE, description="Show what I can do")(handler)
        return router

    few = [c.name for c in menu_commands(router_with(3, 2), "personal")]
    assert few == ["open0", "open1", "open2", "staff0", "staff1", "help"]
    many = [c.name for c in menu_commands(router_with(12, 2), "personal")]
    assert many == [f"open{i}" for i in range(9)] + ["help"]


def test_missing_settings_are_named_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "classroom.zip"
    assert _build(out) == 2
    errors = _problems(capsys)
    assert "nothing was written" in errors
    for name in (
        "MICROSOFT_APP_ID",
        "BOT_DOMAIN",
        "TEAMS_APP_WEBSITE_URL",
        "TEAMS_APP_PRIVACY_URL",
        "TEAMS_APP_TERMS_URL",
    ):
        assert f"{name} is not set" in errors
    assert not out.exists()


def test_unusable_settings_are_explained(
    configured: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", "classroom-bot")
    monkeypatch.setenv("BOT_DOMAIN", "https://classroom.example.org/api/messages")
    monkeypatch.setenv("TEAMS_APP_PRIVACY_URL", "http://training.example.org/privacy")
    assert _build(configured / "classroom.zip") == 2
    errors = _problems(capsys)
    assert "MICROSOFT_APP_ID must be a GUID" in errors
    assert "BOT_DOMAIN must be a host name such as classroom.example.org (no https://, port or path)" in errors
    assert "TEAMS_APP_PRIVACY_URL must be an https:// link" in errors
    assert not (configured / "classroom.zip").exists()


def test_a_manifest_the_schema_rejects_fails_with_readable_messages(
    configured: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def break_it(manifest: dict[str, Any]) -> None:
        del manifest["developer"]["privacyUrl"]
        manifest["accentColor"] = "teal"
        manifest["bots"][0]["supportsMeetings"] = True

    _edit_template(template, break_it)
    out = configured / "classroom.zip"
    assert _build(out, template) == 2
    errors = _problems(capsys)
    assert "the app package is not valid (3 problems); nothing was written" in errors
    assert "manifest.json: /developer: 'privacyUrl' is a required property" in errors
    assert "manifest.json: /accentColor: 'teal' does not match" in errors
    assert "manifest.json: /bots/0: Additional properties are not allowed ('supportsMeetings' was unexpected)" in errors
    assert not out.exists()


def test_schema_limits_are_reported_as_counts_not_dumps(
    configured: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def overfill(manifest: dict[str, Any]) -> None:
        commands = [{"title": f"command{i}", "description": "x"} for i in range(13)]
        manifest["bots"][0]["commandLists"][0]["commands"] = commands
        manifest["name"]["short"] = "Classroom for social-work training"

    _edit_template(template, overfill)
    assert _build(configured / "classroom.zip", template) == 2
    errors = _problems(capsys)
    assert "manifest.json: /bots/0/commandLists/0/commands: has 13 items; at most 12 allowed" in errors
    assert "manifest.json: /name/short: is 34 characters long; at most 30" in errors
    assert "[{" not in errors and "'description'" not in errors  # no dump of the offending list


def test_a_manifest_version_without_a_bundled_schema_says_where_to_get_it(
    configured: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit_template(template, lambda m: m.update(manifestVersion="1.29"))
    assert _build(configured / "classroom.zip", template) == 2
    errors = _problems(capsys)
    assert "/manifestVersion: '1.29' has no bundled schema (we have 1.30)" in errors
    assert "node_modules/@microsoft/app-manifest/build/json-schemas/teams/" in errors


def test_bad_icons_are_reported(configured: Path, template: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Image.new("RGB", (100, 100), (15, 118, 110)).save(template / "color.png")
    Image.new("RGB", (32, 32), (255, 255, 255)).save(template / "outline.png")  # no transparency at all
    assert _build(configured / "classroom.zip", template) == 2
    errors = _problems(capsys)
    assert "color.png: the color icon must be 192×192 pixels, it is 100×100" in errors
    assert "outline.png: the outline icon must have a transparent background" in errors


def test_an_outline_icon_in_colour_is_reported(
    configured: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    icon = Image.open(TEMPLATE_DIR / "outline.png").convert("RGBA")
    red = Image.new("RGBA", icon.size, (200, 30, 30, 255))
    red.putalpha(icon.getchannel("A"))
    red.save(template / "outline.png")
    assert _build(configured / "classroom.zip", template) == 2
    assert "outline.png: the outline icon must be white on transparent" in _problems(capsys)


def test_repeated_unknown_and_missing_commands_are_reported(
    configured: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def break_it(manifest: dict[str, Any]) -> None:
        personal = manifest["bots"][0]["commandLists"][0]["commands"]
        personal.append({"title": "Help", "description": "Again"})
        personal.append({"title": "sing", "description": "A song"})
        team = manifest["bots"][0]["commandLists"][1]
        team["commands"] = [c for c in team["commands"] if c["title"] != "find"]

    _edit_template(template, break_it)
    assert _build(configured / "classroom.zip", template) == 2
    errors = _problems(capsys)
    assert "/bots/0/commandLists/0: command names must be unique; repeated: help" in errors
    assert "the personal list is not in step with the bot's commands" in errors
    assert "not a command the bot answers here: Help, sing" in errors
    assert "the team list is not in step with the bot's commands (missing find)" in errors


def test_an_unfilled_placeholder_is_reported(
    configured: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit_template(template, lambda m: m["description"].update(full="Support: ${{SUPPORT_EMAIL}}"))
    assert _build(configured / "classroom.zip", template) == 2
    assert "manifest.json: /description/full: placeholder ${{SUPPORT_EMAIL}} was not filled in" in _problems(capsys)


def test_package_layout_is_checked(configured: Path, template: Path, tmp_path: Path) -> None:
    assert _build(configured / "good.zip", template) == 0
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(configured / "good.zip") as good, zipfile.ZipFile(bad, "w") as package:
        for name in good.namelist():
            package.writestr(f"classroom/{name}" if name == "outline.png" else name, good.read(name))
        package.writestr("notes.txt", "hello")
    problems = "\n".join(check_package_file(bad))
    assert "classroom/outline.png: files must sit at the root of the package" in problems
    assert "outline.png: the outline icon named in the manifest is not in the package" in problems
    assert "notes.txt: not part of an app package" in problems


def test_bundled_schema_is_the_newest_in_the_pinned_npm_package() -> None:
    package = require_node_package("@microsoft/app-manifest")
    published = package / "build" / "json-schemas" / "teams"
    versions = sorted((p.name[1:] for p in published.glob("v1.*")), key=lambda v: [int(part) for part in v.split(".")])
    newest = versions[-1]
    assert bundled_schema_versions() == [newest]
    ours = SCHEMA_ROOT / f"v{newest}" / "MicrosoftTeams.schema.json"
    assert ours.read_bytes() == (published / f"v{newest}" / "MicrosoftTeams.schema.json").read_bytes()


def test_microsofts_own_validator_agrees(configured: Path, template: Path) -> None:
    """The built manifest passes @microsoft/app-manifest's own Ajv set-up; a broken one fails there too."""
    require_node_package("@microsoft/app-manifest")
    assert _build(configured / "classroom.zip", template) == 0
    with zipfile.ZipFile(configured / "classroom.zip") as package:
        manifest = json.loads(package.read("manifest.json"))
    schema = str(SCHEMA_ROOT / f"v{manifest['manifestVersion']}" / "MicrosoftTeams.schema.json")
    assert run_node("validate_manifest.cjs", schema, stdin=manifest) == {"errors": []}
    del manifest["developer"]["privacyUrl"]
    manifest["manifestVersion"] = "1.29"
    errors = run_node("validate_manifest.cjs", schema, stdin=manifest)["errors"]
    assert "/developer must have required property 'privacyUrl'" in errors
    assert "/manifestVersion must be equal to constant" in errors


@pytest.fixture
def make_icons() -> Any:
    """manifest/make_icons.py (manifest/ is not a package), loaded from its file."""
    spec = importlib.util.spec_from_file_location("make_icons", TEMPLATE_DIR / "make_icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_committed_icons_are_the_ones_the_script_draws(tmp_path: Path, make_icons: Any) -> None:
    make_icons(["--out", str(tmp_path)])
    for name in ("color.png", "outline.png"):
        drawn, committed = Image.open(tmp_path / name), Image.open(TEMPLATE_DIR / name)
        assert (drawn.size, drawn.mode) == (committed.size, committed.mode)
        difference = ImageChops.difference(drawn, committed).getextrema()
        bands = difference if isinstance(difference[0], tuple) else (difference,)
        assert max(high for _low, high in bands) <= 8, f"{name} differs from make_icons.py's: run it again"
