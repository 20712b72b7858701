"""The Teams app package: fill ``manifest/manifest.json`` from settings, validate it offline, write the zip.

Validation has two parts, and a package is written only when both find nothing:

- Microsoft's JSON schema for the manifest's version, as bundled in the npm package ``@microsoft/app-manifest``
  (pinned in ``package.json``; the copy under ``manifest/schema/`` is checked against it by a test). Microsoft
  validates with Ajv in draft-04 mode, which also knows ``const``; we do the same with ``jsonschema``.
- The checks a schema cannot make: icon sizes and transparency, command names unique and in step with the
  commands the bot answers, every placeholder filled, settings that make sense (a GUID, a bare host name,
  https pages), and the package layout (``manifest.json`` and the two icons at the root, nothing else).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, Draft7Validator, ValidationError, validators
from PIL import Image, UnidentifiedImageError

from bot.settings import Settings
from dialogs.routing import Command, Router

EXIT_OK, EXIT_INVALID = 0, 2

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "manifest"
SCHEMA_ROOT = TEMPLATE_DIR / "schema" / "teams"
MANIFEST_FILE = "manifest.json"
SCHEMA_URL = "https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
BOT_SCOPES = ("personal", "team", "groupChat")  # our Command.scopes use the manifest's names
MAX_MENU_COMMANDS = 10  # "Each menu supports up to 10 commands" (Teams docs; the schema allows 12)
HELP_COMMAND = "help"

PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
HOST_NAME = re.compile(
    r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", re.I
)

# Draft-04 plus ``const`` (and ``if``/``then``), as Ajv's draft-04 mode applies them to Microsoft's schemas.
ManifestSchemaValidator = validators.extend(
    Draft4Validator, {"const": Draft7Validator.VALIDATORS["const"], "if": Draft7Validator.VALIDATORS["if"]}
)


class ManifestProblems(Exception):
    """Why no package was written: one readable line per problem."""

    def __init__(self, headline: str, problems: list[str]) -> None:
        super().__init__(f"{headline}: {'; '.join(problems)}")
        self.headline = headline
        self.problems = problems


@dataclass(frozen=True)
class BuiltPackage:
    path: Path
    manifest: dict[str, Any]

    def summary(self) -> str:
        bot = self.manifest["bots"][0]
        lists = ", ".join(f"{'/'.join(c['scopes'])} ({len(c['commands'])})" for c in bot.get("commandLists", []))
        developer = self.manifest["developer"]
        return (
            f"Wrote the Teams app package {self.path}\n"
            f"  app        : {self.manifest['name']['short']} {self.manifest['version']}"
            f" (manifest v{self.manifest['manifestVersion']}), app id {self.manifest['id']}\n"
            f"  bot domain : {', '.join(self.manifest.get('validDomains', []))}\n"
            f"  commands   : {lists}\n"
            f"  developer  : {developer['name']}; website {developer['websiteUrl']}, privacy "
            f"{developer['privacyUrl']}, terms {developer['termsOfUseUrl']}\n"
            f"It passed Microsoft's JSON schema for manifest v{self.manifest['manifestVersion']} and the package "
            "checks. Upload it in Teams (Apps > Manage your apps > Upload an app) or the Teams admin centre."
        )


# --- the commands the bot answers -------------------------------------------------------------------------


def registered_commands() -> Router:
    """The bot's command registry, exactly as the running bot builds it (from every feature's router)."""
    from bot.features import FEATURES
    from dialogs.registry import FeatureRegistry

    return FeatureRegistry(FEATURES).commands


def commands_for_scope(router: Router, scope: str) -> list[Command]:
    """The listed commands of ``scope`` (aliases, phrases and unlisted commands such as greetings never show)."""
    return [command for command in router.commands.values() if command.listed and scope in command.scopes]


def menu_commands(router: Router, scope: str) -> list[Command]:
    """The commands Teams' command menu offers in ``scope``: it shows at most 10 and cannot tell roles apart.

    Commands anyone may use come first (in the order the bot registers them), then role-limited ones while there
    is room, and ``help`` always ends the list: it shows each person every command they may use there.
    """
    commands = commands_for_scope(router, scope)
    help_ = [c for c in commands if c.name == HELP_COMMAND]
    anyone = [c for c in commands if c.for_everyone and c.name != HELP_COMMAND]
    limited = [c for c in commands if not c.for_everyone and c.name != HELP_COMMAND]
    return (anyone + limited)[: MAX_MENU_COMMANDS - len(help_)] + help_


def expected_command_lists(router: Router) -> list[dict[str, Any]]:
    """The manifest's ``commandLists``: one list per scope, the :func:`menu_commands` of that scope."""
    return [
        {
            "scopes": [scope],
            "commands": [{"title": c.name, "description": c.description} for c in menu_commands(router, scope)],
        }
        for scope in BOT_SCOPES
    ]


# --- filling the template ---------------------------------------------------------------------------------


def _app_version() -> str:
    try:
        return version("classroom-bot")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0"


def _is_https_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


def placeholder_values(settings: Settings) -> dict[str, str]:
    """What each ``${{NAME}}`` in the template becomes; every missing or unusable setting is reported at once."""
    problems: list[str] = []
    app_id = settings.microsoft_app_id.strip()
    if not app_id:
        problems.append("MICROSOFT_APP_ID is not set: the bot's Azure app id (a GUID), used as the Teams app id too")
    elif not GUID.match(app_id):
        problems.append(f"MICROSOFT_APP_ID must be a GUID such as 00000000-0000-0000-0000-000000000000, not {app_id!r}")
    domain = settings.bot_domain.strip()
    if not domain:
        problems.append("BOT_DOMAIN is not set: the public host name of the bot, e.g. classroom.example.org")
    elif not HOST_NAME.match(domain):
        problems.append(
            f"BOT_DOMAIN must be a host name such as classroom.example.org (no https://, port or path), not {domain!r}"
        )
    for name, value, what in (
        ("TEAMS_APP_WEBSITE_URL", settings.teams_app_website_url, "the page about the app or the training team"),
        ("TEAMS_APP_PRIVACY_URL", settings.teams_app_privacy_url, "your privacy notice"),
        ("TEAMS_APP_TERMS_URL", settings.teams_app_terms_url, "your terms of use"),
    ):
        if not value.strip():
            problems.append(f"{name} is not set: an https:// link to {what}")
        elif not _is_https_page(value.strip()):
            problems.append(f"{name} must be an https:// link, not {value!r}")
    developer = settings.teams_app_developer_name.strip()
    if not developer:
        problems.append("TEAMS_APP_DEVELOPER_NAME is empty: the organisation that publishes the app")
    if problems:
        raise ManifestProblems(
            "missing or unusable settings (set them in the environment or .env; see README)", problems
        )
    return {
        "APP_VERSION": _app_version(),
        "MICROSOFT_APP_ID": app_id,
        "BOT_DOMAIN": domain.lower(),
        "TEAMS_APP_DEVELOPER_NAME": developer,
        "TEAMS_APP_WEBSITE_URL": settings.teams_app_website_url.strip(),
        "TEAMS_APP_PRIVACY_URL": settings.teams_app_privacy_url.strip(),
        "TEAMS_APP_TERMS_URL": settings.teams_app_terms_url.strip(),
    }


def fill_placeholders(node: Any, values: Mapping[str, str]) -> Any:
    """Replace known ``${{NAME}}`` inside JSON strings (never in the JSON text, so no value can break it)."""
    if isinstance(node, str):
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), node)
    if isinstance(node, list):
        return [fill_placeholders(item, values) for item in node]
    if isinstance(node, dict):
        return {key: fill_placeholders(value, values) for key, value in node.items()}
    return node


def assemble_package(settings: Settings, template_dir: Path = TEMPLATE_DIR) -> dict[str, bytes]:
    """The package's files by name: the filled manifest and the icons it names."""
    values = placeholder_values(settings)
    template_path = template_dir / MANIFEST_FILE
    try:
        template = json.loads(template_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestProblems("no manifest template", [f"{template_path} does not exist"]) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ManifestProblems("the manifest template is not valid JSON", [f"{template_path}: {error}"]) from None
    manifest = fill_placeholders(template, values)
    files = {MANIFEST_FILE: (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    icons = manifest.get("icons") if isinstance(manifest, dict) else None
    for name in (icons or {}).values():
        if isinstance(name, str) and (template_dir / name).is_file():
            files[name] = (template_dir / name).read_bytes()
    return files


# --- checking a package -----------------------------------------------------------------------------------


@cache
def _schema(manifest_version: str) -> dict[str, Any]:
    return json.loads((SCHEMA_ROOT / f"v{manifest_version}" / "MicrosoftTeams.schema.json").read_text("utf-8"))


def bundled_schema_versions() -> list[str]:
    return sorted(
        (p.name[1:] for p in SCHEMA_ROOT.glob("v*") if p.is_dir()), key=lambda v: [int(n) for n in v.split(".")]
    )


def _pointer(path: Iterator[Any] | Any) -> str:
    parts = [str(part) for part in path]
    return "/" + "/".join(parts) if parts else "/"


def _schema_message(error: ValidationError) -> str:
    """jsonschema's message, without the whole offending value where a count says more."""
    limit, value = error.validator_value, error.instance
    if error.validator in ("maxItems", "minItems") and isinstance(value, list):
        return f"has {len(value)} items; {'at most' if error.validator == 'maxItems' else 'at least'} {limit} allowed"
    if error.validator in ("maxLength", "minLength") and isinstance(value, str):
        return f"is {len(value)} characters long; {'at most' if error.validator == 'maxLength' else 'at least'} {limit}"
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."


def schema_problems(manifest: Any) -> list[str]:
    """Errors from Microsoft's JSON schema for the manifest's own ``manifestVersion``."""
    if not isinstance(manifest, dict):
        return [f"{MANIFEST_FILE}: must be a JSON object"]
    manifest_version = manifest.get("manifestVersion")
    if manifest_version not in bundled_schema_versions():
        return [
            f"{MANIFEST_FILE}: /manifestVersion: {manifest_version!r} has no bundled schema (we have "
            f"{', '.join(bundled_schema_versions())}); copy it from node_modules/@microsoft/app-manifest/build/"
            "json-schemas/teams/ into manifest/schema/teams/"
        ]
    validator = ManifestSchemaValidator(_schema(manifest_version), format_checker=Draft4Validator.FORMAT_CHECKER)
    problems = []
    for error in sorted(validator.iter_errors(manifest), key=lambda e: [str(p) for p in e.absolute_path]):
        problems.append(f"{MANIFEST_FILE}: {_pointer(error.absolute_path)}: {_schema_message(error)}")
    expected_url = SCHEMA_URL.format(version=manifest_version)
    if manifest.get("$schema") != expected_url:
        problems.append(f"{MANIFEST_FILE}: /$schema: should be {expected_url} for manifestVersion {manifest_version}")
    return problems


def _object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (the schema reports wrong types)."""
    return value if isinstance(value, dict) else {}


def _strings(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, (*path, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))


def placeholder_problems(manifest: Any) -> list[str]:
    return [
        f"{MANIFEST_FILE}: {_pointer(path)}: placeholder ${{{{{name}}}}} was not filled in"
        for path, value in _strings(manifest)
        for name in PLACEHOLDER.findall(value)
    ]


def icon_problems(manifest: dict[str, Any], files: Mapping[str, bytes]) -> list[str]:
    problems: list[str] = []
    icons = _object(manifest.get("icons"))
    for role, (width, height) in ICON_SIZES.items():
        name = icons.get(role)
        if not isinstance(name, str):
            continue  # the schema reports a missing icon
        if name not in files:
            problems.append(f"{name}: the {role} icon named in the manifest is not in the package")
            continue
        try:
            image = Image.open(io.BytesIO(files[name]))
            image.load()
        except (UnidentifiedImageError, OSError) as error:
            problems.append(f"{name}: the {role} icon is not a readable image ({error})")
            continue
        if image.format != "PNG":
            problems.append(f"{name}: the {role} icon must be a PNG file, it is {image.format}")
        if image.size != (width, height):
            problems.append(
                f"{name}: the {role} icon must be {width}×{height} pixels, it is {image.size[0]}×{image.size[1]}"
            )
        if role == "outline":
            problems.extend(_outline_problems(name, image))
    return problems


def _outline_problems(name: str, image: Image.Image) -> list[str]:
    """Teams shows the outline icon as a white shape on a transparent background (and tints it)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if not has_alpha:
        return [f"{name}: the outline icon must have a transparent background, it has no transparency ({image.mode})"]
    raw = image.convert("RGBA").tobytes()
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    transparent = sum(1 for pixel in pixels if pixel[3] == 0)
    visible = [pixel for pixel in pixels if pixel[3] > 0]
    problems = []
    if not visible:
        problems.append(f"{name}: the outline icon is empty (fully transparent)")
    if transparent < len(pixels) // 4:
        problems.append(
            f"{name}: the outline icon must be a white shape on a transparent background, but only "
            f"{100 * transparent // len(pixels)}% of it is transparent"
        )
    coloured = sum(1 for r, g, b, _a in visible if min(r, g, b) < 230)
    if coloured:
        problems.append(
            f"{name}: the outline icon must be white on transparent; {coloured} visible pixels are not white"
        )
    return problems


def command_problems(manifest: dict[str, Any], router: Router) -> list[str]:
    """Command names unique, one list per scope, and every list exactly the commands the bot answers there."""
    problems: list[str] = []
    for bot_index, bot in enumerate(manifest.get("bots") or []):
        where = f"{MANIFEST_FILE}: /bots/{bot_index}/commandLists"
        bot_scopes = set(bot.get("scopes") or [])
        by_scope, list_problems = _commands_by_scope(bot.get("commandLists") or [], bot_scopes, where)
        problems.extend(list_problems)
        for scope in BOT_SCOPES:
            if scope in bot_scopes:
                problems.extend(_menu_problems(by_scope.get(scope, []), router, scope, where))
    return problems


def _commands_by_scope(
    command_lists: list[Any], bot_scopes: set[str], where: str
) -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
    """Each scope's (title, description) pairs, from the first list for it, and what is wrong with the lists."""
    problems: list[str] = []
    by_scope: dict[str, list[tuple[str, str]]] = {}
    for list_index, command_list in enumerate(command_lists):
        commands = [(c.get("title", ""), c.get("description", "")) for c in command_list.get("commands") or []]
        if repeated := _repeated_titles(commands):
            problems.append(f"{where}/{list_index}: command names must be unique; repeated: {', '.join(repeated)}")
        for scope in command_list.get("scopes") or []:
            if scope in by_scope:
                problems.append(f"{where}/{list_index}: a second command list for the {scope} scope")
            if scope not in bot_scopes:
                problems.append(f"{where}/{list_index}: a command list for {scope}, a scope the bot is not in")
            by_scope.setdefault(scope, commands)
    return by_scope, problems


def _repeated_titles(commands: list[tuple[str, str]]) -> list[str]:
    """Titles used more than once, ignoring case and surrounding spaces."""
    titles = [title.strip().lower() for title, _ in commands]
    return sorted({title for title in titles if titles.count(title) > 1})


def _menu_problems(actual: list[tuple[str, str]], router: Router, scope: str, where: str) -> list[str]:
    """One problem if the ``scope`` list is not exactly the :func:`menu_commands` of that scope, else none."""
    expected = [(c.name, c.description) for c in menu_commands(router, scope)]
    if actual == expected:
        return []
    known = {c.name: c.description for c in commands_for_scope(router, scope)}
    details = _menu_differences(actual, [t for t, _ in expected], known)
    return [
        f"{where}: the {scope} list is not in step with the bot's commands ({'; '.join(details)}); "
        "run `python manifest/sync_commands.py`"
    ]


def _menu_differences(actual: list[tuple[str, str]], expected_titles: list[str], known: dict[str, str]) -> list[str]:
    """How a command list differs from the menu, most telling first; only the order if nothing else."""
    actual_titles = [t for t, _ in actual]
    details = []
    if missing := [t for t in expected_titles if t not in actual_titles]:
        details.append(f"missing {', '.join(missing)}")
    if unknown := [t for t in actual_titles if t not in known]:
        details.append(f"not a command the bot answers here: {', '.join(unknown)}")
    if unchosen := [t for t in actual_titles if t in known and t not in expected_titles]:
        details.append(f"not among the {MAX_MENU_COMMANDS} the menu offers: {', '.join(unchosen)}")
    if changed := [t for t, d in actual if t in expected_titles and known.get(t) != d]:
        details.append(f"description differs from the bot's for {', '.join(changed)}")
    return details or [f"order should be {', '.join(expected_titles)}"]


def consistency_problems(manifest: dict[str, Any]) -> list[str]:
    """Values the schema accepts but Teams (or our deployment) would not."""
    problems: list[str] = []
    for index, domain in enumerate(manifest.get("validDomains") or []):
        if isinstance(domain, str) and not PLACEHOLDER.search(domain) and not HOST_NAME.match(domain):
            problems.append(
                f"{MANIFEST_FILE}: /validDomains/{index}: {domain!r} must be a bare host name (no scheme or path)"
            )
    developer = _object(manifest.get("developer"))
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        url = developer.get(key)
        if isinstance(url, str) and not PLACEHOLDER.search(url) and not _is_https_page(url):
            problems.append(f"{MANIFEST_FILE}: /developer/{key}: must be an https:// link, not {url!r}")
    bots = manifest.get("bots") or []
    rsc = _object(_object(manifest.get("authorization")).get("permissions")).get("resourceSpecific") or []
    web_app_id = _object(manifest.get("webApplicationInfo")).get("id")
    if rsc and bots and web_app_id != bots[0].get("botId"):
        problems.append(
            f"{MANIFEST_FILE}: /webApplicationInfo/id: resource-specific consent needs the bot's app id here "
            f"({bots[0].get('botId')!r}), not {web_app_id!r}"
        )
    if not bots:
        problems.append(f"{MANIFEST_FILE}: /bots: the app has no bot")
    elif missing := [s for s in BOT_SCOPES if s not in (bots[0].get("scopes") or [])]:
        problems.append(f"{MANIFEST_FILE}: /bots/0/scopes: the bot must be installable in {', '.join(missing)} too")
    return problems


def check_package(files: Mapping[str, bytes], router: Router | None = None) -> list[str]:
    """Every problem with a package's files (name -> bytes); an empty list means it is good to upload."""
    if MANIFEST_FILE not in files:
        return [f"the package has no {MANIFEST_FILE} at its root"]
    raw = files[MANIFEST_FILE]
    if raw.startswith(b"\xef\xbb\xbf"):
        return [f"{MANIFEST_FILE}: must be UTF-8 without a byte-order mark"]
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        return [f"{MANIFEST_FILE}: not valid JSON ({error})"]
    problems = schema_problems(manifest)
    if not isinstance(manifest, dict):
        return problems
    problems += placeholder_problems(manifest)
    problems += consistency_problems(manifest)
    problems += icon_problems(manifest, files)
    problems += command_problems(manifest, router or registered_commands())
    icons = _object(manifest.get("icons"))
    expected_names = {MANIFEST_FILE, *(name for name in icons.values() if isinstance(name, str))}
    for name in sorted(set(files) - expected_names):
        problems.append(f"{name}: not part of an app package (only {', '.join(sorted(expected_names))})")
    return problems


def check_package_file(path: Path, router: Router | None = None) -> list[str]:
    """Check a zip as Teams reads it: the files at its root, no folders, then :func:`check_package`."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            problems = [
                f"{name}: files must sit at the root of the package, not in a folder" for name in names if "/" in name
            ]
            files = {name: archive.read(name) for name in names if not name.endswith("/")}
    except (zipfile.BadZipFile, OSError) as error:
        return [f"{path}: not a readable zip file ({error})"]
    return problems + check_package(files, router)


# --- writing ----------------------------------------------------------------------------------------------


def write_package(files: Mapping[str, bytes], out: Path) -> None:
    """A reproducible zip (fixed timestamps, manifest first), written beside ``out`` then moved into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for name in sorted(files, key=lambda n: (n != MANIFEST_FILE, n)):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name])
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def build_package(settings: Settings, out: Path, template_dir: Path = TEMPLATE_DIR) -> BuiltPackage:
    """Fill, validate and write the app package; raises :class:`ManifestProblems` and writes nothing if invalid."""
    if out.suffix.lower() != ".zip":
        raise ManifestProblems("bad --out", [f"{out}: the app package must be a .zip file"])
    files = assemble_package(settings, template_dir)
    problems = check_package(files)
    if problems:
        raise ManifestProblems(
            f"the app package is not valid ({len(problems)} problem{'s' * (len(problems) != 1)})", problems
        )
    write_package(files, out)
    problems = check_package_file(out)  # what was written is what Teams will read
    if problems:
        out.unlink(missing_ok=True)
        raise ManifestProblems("the written package did not read back correctly", problems)
    return BuiltPackage(out, json.loads(files[MANIFEST_FILE]))


def cmd_manifest_build(settings: Settings, args: argparse.Namespace) -> int:
    """``classroom-bot manifest build --out FILE.zip [--template-dir DIR]``."""
    template_dir: Path = getattr(args, "template_dir", None) or TEMPLATE_DIR
    try:
        built = build_package(settings, args.out, template_dir)
    except ManifestProblems as error:
        print(f"classroom-bot manifest build: {error.headline}; nothing was written:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID
    print(built.summary())
    return EXIT_OK
