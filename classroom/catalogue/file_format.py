"""The catalogue file: YAML that coordinators edit by hand, checked completely before anything is written.

A file looks like this (every key is described on the ``_…`` models below)::

    timezone: Europe/London            # optional; session times are wall-clock times here
    organisations:
      - name: Brighton & Hove City Council
        price_band: 1                  # Tier 1-5
        tenant_ids: [0f1c…]            # optional: its Entra tenant ids; people in them are its staff
        email_domains: [brighton-hove.gov.uk]   # optional: so are people whose Teams email is at these
    courses:
      - code: PERM4
        title: Permanence …
        summary: …
        target_audience: Children's Services (B&HCC)
        duration: Four sessions
        learning_outcomes:
          - understand what permanence is …
        reflection_questions:          # optional: the reflection prompt's questions in the course's words
          learnt: What did you learn about permanence today?
        runs:
          - code: PERM4-A
            capacity: 16
            join_url: https://teams.microsoft.com/l/meetup-join/…
            eligibility:
              audience: Children's Services staff at B&HCC
              organisations: [Brighton & Hove City Council]
            trainers:
              - name: Zoe Rosenfield
                aad_object_id: 6f1c…       # optional: links the trainer to their Teams account
            prices: {tier_1: 320, tier_2: 360.50}   # pounds per place, by price band
            sessions:
              - {date: 2021-06-14, start: 10:00, end: 15:00}

``load_catalogue`` returns a ``CatalogueDocument`` (plain frozen dataclasses, session times in UTC) or raises
``CatalogueFileError`` listing every problem found, each naming the file, line and field.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from datetime import date as Date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    AnyUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    UrlConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from classroom.errors import InvalidInput

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_DELIVERY = "Online via Microsoft Teams"
PRICE_BANDS = range(1, 6)

# ---------------------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a catalogue file.

    Attributes:
        file: The file as the caller named it.
        line: 1-based line the problem is on, or None when it concerns the whole file.
        field: Dotted path to the value, e.g. ``courses[1].runs[0].capacity``; empty for the whole file.
        message: What is wrong, in words a coordinator understands.
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class CatalogueFileError(InvalidInput):
    """The catalogue file cannot be used; ``problems`` lists everything found, in line order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


# ---------------------------------------------------------------------------------------------------------
# The validated document: what the importer and the demo work with


@dataclass(frozen=True, slots=True)
class OrganisationSpec:
    name: str
    price_band: int
    # Evidence that someone works for it, lower-case; each value names one organisation in the file.
    tenant_ids: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TrainerSpec:
    name: str
    aad_object_id: str | None = None


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """One session; both times are timezone-aware UTC."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class RunSpec:
    code: str
    capacity: int
    sessions: tuple[SessionSpec, ...]
    join_url: str | None = None
    eligible_audience: str = ""
    # Names of organisations from the same document; empty means open to everyone.
    eligible_organisations: tuple[str, ...] = ()
    trainers: tuple[TrainerSpec, ...] = ()
    # Price band (1-5) -> price of one place in pence; bands not listed have no price.
    prices_pence: Mapping[int, int] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CourseSpec:
    code: str
    title: str
    summary: str
    target_audience: str
    duration: str
    learning_outcomes: tuple[str, ...]
    description: str = ""
    reflection_questions: tuple[tuple[str, str], ...] = ()  # (question key, the course's wording)
    prerequisites: str = ""
    delivery: str = DEFAULT_DELIVERY
    outline_url: str | None = None
    runs: tuple[RunSpec, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CatalogueDocument:
    """A whole catalogue file, validated. ``source`` names the file in later messages."""

    timezone: str
    organisations: tuple[OrganisationSpec, ...]
    courses: tuple[CourseSpec, ...]
    source: str = field(default="<catalogue>", compare=False)

    def runs(self) -> Iterator[tuple[CourseSpec, RunSpec]]:
        """Every run in file order, with its course."""
        for course in self.courses:
            for run in course.runs:
                yield course, run


# ---------------------------------------------------------------------------------------------------------
# YAML with line numbers and without YAML 1.1's surprises


class _CatalogueLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2-style plain scalars.

    YAML 1.1 (what PyYAML implements) reads ``start: 10:00`` as the base-60 integer 600 but ``09:30`` as a
    string, ``capacity: 010`` as octal 8 and ``code: NO`` as False. In a hand-edited file those are traps,
    so here only decimal numbers are numbers and only true/false are booleans; everything else stays text.
    """

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        # PyYAML lets "2021-02-30" escape as a bare ValueError with no position; give it one.
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date ({error})", node.start_mark
            ) from error


_YAML_11_ONLY = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_CatalogueLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML_11_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CatalogueLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CatalogueLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_CatalogueLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)
_CatalogueLoader.add_constructor("tag:yaml.org,2002:timestamp", _CatalogueLoader.construct_yaml_timestamp)

# Paths use str parts ("courses", "1", "code") so pydantic's int indexes and YAML's keys compare alike.
_Path = tuple[str, ...]


class _Reporter:
    """Collects problems for one file, placing each on the line of the value it is about."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[_Path, int] = {}
        self.problems: list[Problem] = []

    def line_of(self, loc: tuple[int | str, ...]) -> int | None:
        # A missing key has no line of its own: use the nearest enclosing value that has one.
        path = tuple(str(part) for part in loc)
        while path not in self.lines:
            if not path:
                return None
            path = path[:-1]
        return self.lines[path]

    def add(self, loc: tuple[int | str, ...], message: str, *, line: int | None = None) -> None:
        self.problems.append(Problem(self.file, line if line is not None else self.line_of(loc), _dotted(loc), message))

    def sorted_problems(self) -> list[Problem]:
        unique = dict.fromkeys(self.problems)
        return sorted(unique, key=lambda p: (p.line or 0, p.field))


def _dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f"{'.' if text else ''}{part}"
    return text


def _index_lines(node: yaml.Node, path: _Path, reporter: _Reporter, loc: tuple[int | str, ...]) -> None:
    """Record the line of every mapping key and sequence item under ``node``; report duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in seen:
                # PyYAML silently keeps the last one; a coordinator should know.
                reporter.add((*loc, key), f"duplicate key (also given on line {seen[key]})", line=line)
            seen[key] = line
            reporter.lines[(*path, key)] = line
            _index_lines(value_node, (*path, key), reporter, (*loc, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            reporter.lines[(*path, str(index))] = item.start_mark.line + 1
            _index_lines(item, (*path, str(index)), reporter, (*loc, index))


def _read_yaml(text: str, reporter: _Reporter) -> Any:
    loader = _CatalogueLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        reporter.lines[()] = node.start_mark.line + 1
        _index_lines(node, (), reporter, ())
        return loader.construct_document(node)
    finally:
        loader.dispose()


# ---------------------------------------------------------------------------------------------------------
# Field types. Messages are written for the person editing the file.


def _code_checker(pattern: str, max_length: int, what: str) -> Any:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        code = value.strip().upper()
        if not compiled.fullmatch(code):
            raise PydanticCustomError(
                f"catalogue_{what}_code",
                "{value} is not a valid {what} code: use 2-{max_length} letters, digits and hyphens, "
                "starting with a letter or digit",
                {"value": repr(value), "what": what, "max_length": max_length},
            )
        return code

    return check


def _number_as_text(value: object) -> object:
    # A purely numeric code (``code: 2021``) arrives from YAML as an int; it is still a code.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


CourseCode = Annotated[
    str,
    BeforeValidator(_number_as_text),
    AfterValidator(_code_checker(r"[A-Z0-9][A-Z0-9-]{1,31}", 32, "course")),
]
RunCode = Annotated[
    str,
    BeforeValidator(_number_as_text),
    AfterValidator(_code_checker(r"[A-Z0-9][A-Z0-9-]{1,47}", 48, "run")),
]


Text = Annotated[str, StringConstraints(min_length=1)]
Text100 = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text300 = Annotated[str, StringConstraints(min_length=1, max_length=300)]
ReflectionQuestionKey = Literal["covered", "learnt", "impact", "try_first", "peer", "feeling"]
OptionalText300 = Annotated[str, StringConstraints(max_length=300)]


_HTTP_URL: TypeAdapter[AnyUrl] = TypeAdapter(
    Annotated[AnyUrl, UrlConstraints(allowed_schemes=["http", "https"], host_required=True)]
)


def _http_link(value: str) -> str:
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError:
        valid = False
    else:
        valid = not any(character.isspace() for character in value)
    if not valid:
        raise PydanticCustomError(
            "catalogue_http_link",
            "{value} is not a web link: give a full http:// or https:// address",
            {"value": repr(value)},
        )
    return value  # keep the link exactly as written: normalising could change a Teams join link


HttpLink = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_link)]


def _price_band(value: int) -> int:
    if value not in PRICE_BANDS:
        raise PydanticCustomError("catalogue_price_band", "must be a price band from 1 to 5 (Tier 1-Tier 5)")
    return value


PriceBand = Annotated[int, AfterValidator(_price_band)]


def _pounds(value: object) -> object:
    # YAML gives 95 (int) or 95.5 (float); repr() of a float is its shortest exact decimal, so 95.1 stays 95.1.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError(
            "catalogue_pounds", "must be an amount in pounds, e.g. 95 or 95.50 (no £ sign, no quotes)"
        )
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


Pounds = Annotated[Decimal, BeforeValidator(_pounds), Field(ge=0, le=100_000, decimal_places=2)]

_HH_MM = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def _local_time(value: object) -> object:
    if isinstance(value, str) and (match := _HH_MM.fullmatch(value.strip())):
        return time(int(match[1]), int(match[2]))
    raise PydanticCustomError("catalogue_local_time", "must be a time of day as HH:MM, e.g. 10:00")


LocalTime = Annotated[time, BeforeValidator(_local_time)]


def _aad_object_id(value: str) -> str:
    if not value or any(character.isspace() for character in value):
        raise PydanticCustomError("catalogue_aad_object_id", "must be the person's Entra object id, without spaces")
    return value


AadObjectId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_aad_object_id)]

MAX_TENANT_IDS = 20
MAX_EMAIL_DOMAINS = 50
_TENANT_ID = re.compile(r"[0-9a-f]{1,32}(?:-[0-9a-f]{1,32}){0,7}")
_DOMAIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL_DOMAIN = re.compile(rf"(?:{_DOMAIN_LABEL}\.)+[a-z]{{2,63}}")


def _tenant_id(value: str) -> str:
    value = value.lower()
    if not _TENANT_ID.fullmatch(value):
        raise PydanticCustomError(
            "catalogue_tenant_id", "must be an Entra tenant id, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47"
        )
    return value


def _email_domain(value: str) -> str:
    value = value.lower()
    if not _EMAIL_DOMAIN.fullmatch(value) or len(value) > 253:
        raise PydanticCustomError(
            "catalogue_email_domain", "must be an email domain such as brighton-hove.gov.uk (no @, no spaces)"
        )
    return value


TenantId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_tenant_id)]
EmailDomain = Annotated[str, StringConstraints(max_length=253), AfterValidator(_email_domain)]

# Set on a PydanticCustomError's context to point the problem at a child of the validated value.
_AT = "child_of_value"


# ---------------------------------------------------------------------------------------------------------
# The file's shape


class _Strict(BaseModel):
    """Unknown keys are errors (a misspelt key must not be silently ignored); no type guessing."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True, frozen=True)


class _Organisation(_Strict):
    name: Text200
    price_band: PriceBand
    tenant_ids: Annotated[list[TenantId], Field(max_length=MAX_TENANT_IDS)] = []
    email_domains: Annotated[list[EmailDomain], Field(max_length=MAX_EMAIL_DOMAINS)] = []


class _Trainer(_Strict):
    name: Text200
    aad_object_id: AadObjectId | None = None


class _Eligibility(_Strict):
    audience: OptionalText300 = ""
    organisations: list[Text200] = []


class _Prices(_Strict):
    """Pounds per place for each price band; a band left out has no price on this run."""

    tier_1: Pounds | None = None
    tier_2: Pounds | None = None
    tier_3: Pounds | None = None
    tier_4: Pounds | None = None
    tier_5: Pounds | None = None

    def pence(self) -> dict[int, int]:
        amounts = {band: getattr(self, f"tier_{band}") for band in PRICE_BANDS}
        return {band: int(amount * 100) for band, amount in amounts.items() if amount is not None}


class _Session(_Strict):
    """A session as wall-clock times on one date, in the file's timezone."""

    date: Date
    start: LocalTime
    end: LocalTime

    @field_validator("start", "end")
    @classmethod
    def _exists_on_that_day(cls, value: time, info: ValidationInfo) -> time:
        zone = (info.context or {}).get("zone")
        day = info.data.get("date")
        if zone is not None and day is not None:
            _check_wall_clock(day, value, zone)
        return value

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise PydanticCustomError(
                "catalogue_session_end", "must be after the start time ({start})", {"start": start.strftime("%H:%M")}
            )
        return value


def _check_wall_clock(day: Date, at: time, zone: ZoneInfo) -> None:
    local = datetime.combine(day, at, tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise PydanticCustomError(
            "catalogue_nonexistent_time",
            "{at} does not exist on {day} in {zone}: the clocks go forward then",
            {"at": at.strftime("%H:%M"), "day": day.isoformat(), "zone": zone.key},
        )
    if local.utcoffset() != local.replace(fold=1).utcoffset():
        raise PydanticCustomError(
            "catalogue_ambiguous_time",
            "{at} happens twice on {day} in {zone} (the clocks go back then); choose another time",
            {"at": at.strftime("%H:%M"), "day": day.isoformat(), "zone": zone.key},
        )


def _utc(day: Date, at: time, zone: ZoneInfo) -> datetime:
    # zoneinfo applies the offset in force on that date, so 10:00 in July is 09:00 UTC, in December 10:00.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


class _Run(_Strict):
    code: RunCode
    capacity: Annotated[int, Field(gt=0)]
    join_url: HttpLink | None = None
    eligibility: _Eligibility = _Eligibility()
    trainers: list[_Trainer] = []
    prices: _Prices = _Prices()
    sessions: Annotated[list[_Session], Field(min_length=1)]

    @field_validator("sessions")
    @classmethod
    def _in_time_order(cls, sessions: list[_Session]) -> list[_Session]:
        # Positions are "session 1, 2, 3…" to people, so the file order must be the time order.
        for index in range(1, len(sessions)):
            before, this = sessions[index - 1], sessions[index]
            if (this.date, this.start) < (before.date, before.end):
                raise PydanticCustomError(
                    "catalogue_session_order",
                    "starts before session {previous} ends: list sessions in time order, without overlaps",
                    {"previous": index, _AT: (index, "date")},
                )
        return sessions


class _Course(_Strict):
    code: CourseCode
    title: Text300
    summary: Text
    description: str = ""
    target_audience: Text300
    prerequisites: str = ""
    duration: Text100
    delivery: Text200 = DEFAULT_DELIVERY
    outline_url: HttpLink | None = None
    learning_outcomes: Annotated[list[Text], Field(min_length=1)]
    # The reflection prompt's questions in the course's own words, by key (covered, learnt, impact, try_first,
    # peer, feeling); any not given keep the default wording.
    reflection_questions: dict[ReflectionQuestionKey, Text300] = {}
    runs: list[_Run] = []


class _CatalogueFile(_Strict):
    timezone: str = DEFAULT_TIMEZONE
    organisations: list[_Organisation] = []
    courses: list[_Course] = []

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if _zone(value) is None:
            raise PydanticCustomError(
                "catalogue_timezone",
                "unknown timezone {value}: use a name such as Europe/London",
                {"value": repr(value)},
            )
        return value


def _zone(name: object) -> ZoneInfo | None:
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------------------
# Turning pydantic's errors into problems

_MESSAGES = {
    "missing": "is required",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "date_type": "must be a date as YYYY-MM-DD, e.g. 2021-07-12",
    "list_type": "must be a list (lines starting with '- ')",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "too_short": "must have at least {min_length} item(s)",
    "decimal_max_places": "must have at most {decimal_places} decimal places (whole pence)",
}


def _report_validation_error(error: ValidationError, reporter: _Reporter) -> None:
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        ctx = dict(detail.get("ctx") or {})
        loc = (*loc, *ctx.pop(_AT, ()))
        reporter.add(loc, _message(detail, ctx))


def _message(detail: ErrorDetails, ctx: dict[str, Any]) -> str:
    kind = detail["type"]
    if kind.startswith("catalogue_"):
        return detail["msg"]  # ours, already written for people
    if kind.endswith("_type") and detail["input"] is None:
        return "has no value: fill it in or remove the key"
    if kind == "extra_forbidden":
        return _unknown_key_message(detail["loc"])
    template = _MESSAGES.get(kind)
    if template is None:
        return detail["msg"][:1].lower() + detail["msg"][1:]
    return template.format(**ctx)


def _unknown_key_message(loc: tuple[int | str, ...]) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return "unknown key"
    allowed = list(model.model_fields)
    guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"did you mean {guess[0]!r}? " if guess else ""
    return f"unknown key; {hint}allowed here: {', '.join(allowed)}"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that validates the value at ``loc`` (to list the keys it allows)."""
    current: Any = _CatalogueFile
    for part in loc:
        current = _without_none(current)
        if isinstance(part, int) and get_origin(current) is list:
            current = get_args(current)[0]
        elif isinstance(part, str) and isinstance(current, type) and issubclass(current, BaseModel):
            if part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
        else:
            return None
    current = _without_none(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


# ---------------------------------------------------------------------------------------------------------
# Checks across the file. They read the raw data, so they still report when other values are malformed.


def _list_items(value: object) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _as_code(value: object) -> str | None:
    value = _number_as_text(value)
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _check_across_file(data: dict[str, Any], reporter: _Reporter) -> None:
    declared: dict[str, str] = {}  # casefolded name -> name as written
    first_at: dict[str, tuple[int | str, ...]] = {}
    for index, organisation in _list_items(data.get("organisations")):
        name = organisation.get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        loc: tuple[int | str, ...] = ("organisations", index, "name")
        if name.strip().casefold() in declared:
            _duplicate(reporter, loc, first_at[name.strip().casefold()], "organisation")
        else:
            declared[name.strip().casefold()] = name.strip()
            first_at[name.strip().casefold()] = loc
    _check_evidence(data, reporter)

    course_codes: dict[str, tuple[int | str, ...]] = {}
    run_codes: dict[str, tuple[int | str, ...]] = {}
    for course_index, course in _list_items(data.get("courses")):
        code = _as_code(course.get("code"))
        loc = ("courses", course_index, "code")
        if code and code in course_codes:
            _duplicate(reporter, loc, course_codes[code], f"course code {code}")
        elif code:
            course_codes[code] = loc
        for run_index, run in _list_items(course.get("runs")):
            run_loc: tuple[int | str, ...] = ("courses", course_index, "runs", run_index)
            code = _as_code(run.get("code"))
            if code and code in run_codes:
                _duplicate(reporter, (*run_loc, "code"), run_codes[code], f"run code {code}")
            elif code:
                run_codes[code] = (*run_loc, "code")
            eligibility = run.get("eligibility")
            if isinstance(eligibility, dict):
                _check_eligible_names(eligibility.get("organisations"), declared, reporter, run_loc)


def _check_evidence(data: dict[str, Any], reporter: _Reporter) -> None:
    """A tenant id or email domain names one organisation: listed under two (or twice), it is an error."""
    for key, what in (("tenant_ids", "tenant id"), ("email_domains", "email domain")):
        first_at: dict[str, tuple[int | str, ...]] = {}
        for index, organisation in _list_items(data.get("organisations")):
            values = organisation.get(key)
            if not isinstance(values, list):
                continue
            for value_index, value in enumerate(values):
                if not isinstance(value, str) or not value.strip():
                    continue
                normalised = value.strip().lower()
                loc: tuple[int | str, ...] = ("organisations", index, key, value_index)
                if normalised in first_at:
                    _duplicate(reporter, loc, first_at[normalised], f"{what} {normalised}")
                else:
                    first_at[normalised] = loc


def _check_eligible_names(
    names: object, declared: dict[str, str], reporter: _Reporter, run_loc: tuple[int | str, ...]
) -> None:
    if not isinstance(names, list):
        return
    seen: set[str] = set()
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            continue
        loc = (*run_loc, "eligibility", "organisations", index)
        name = name.strip()
        if name in seen:
            reporter.add(loc, f"{name!r} is listed twice")
        seen.add(name)
        if name in declared.values():
            continue
        if name.casefold() in declared:
            reporter.add(loc, f"{name!r} must be written exactly as under organisations: {declared[name.casefold()]!r}")
            continue
        guess = difflib.get_close_matches(name, list(declared.values()), n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        reporter.add(loc, f"{name!r} is not listed under organisations:{hint}")


def _duplicate(reporter: _Reporter, loc: tuple[int | str, ...], first: tuple[int | str, ...], what: str) -> None:
    reporter.add(loc, f"{what} is already used at {_dotted(first)} (line {reporter.line_of(first)})")


# ---------------------------------------------------------------------------------------------------------
# Public entry points


def load_catalogue(path: Path) -> CatalogueDocument:
    """Read and validate a catalogue file.

    Args:
        path: The YAML file. Its name, as given, appears in every problem.

    Returns:
        The validated catalogue, session times converted to UTC.

    Raises:
        CatalogueFileError: with every problem found (unreadable file, bad YAML, or invalid content).
    """
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CatalogueFileError([Problem(file, None, "", "file not found")]) from None
    except OSError as error:
        raise CatalogueFileError([Problem(file, None, "", f"cannot read the file: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark from a Windows editor is fine
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        message = f"is not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        raise CatalogueFileError([Problem(file, line, "", message)]) from None
    return parse_catalogue(text, file)


def parse_catalogue(text: str, file: str = "<catalogue>") -> CatalogueDocument:
    """Validate catalogue YAML given as text; ``file`` is the name problems are reported under.

    Raises:
        CatalogueFileError: with every problem found.
    """
    reporter = _Reporter(file)
    try:
        data = _read_yaml(text, reporter)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = ", ".join(part for part in (error.context, error.problem) if part)
        # A constructor error is well-formed YAML with a value that cannot be built (a date like 2021-02-30).
        kind = "" if isinstance(error, yaml.constructor.ConstructorError) else "YAML syntax error: "
        line = mark.line + 1 if mark is not None else None
        raise CatalogueFileError([Problem(file, line, "", f"{kind}{detail}")]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise CatalogueFileError([Problem(file, line, "", f"YAML syntax error: {error.reason}")]) from None
    except yaml.YAMLError as error:
        raise CatalogueFileError([Problem(file, None, "", f"YAML syntax error: {error}")]) from None

    if data is None:
        raise CatalogueFileError([Problem(file, None, "", "the file is empty; expected organisations: and courses:")])
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        message = f"must be a mapping with timezone:, organisations: and courses: at the top, but is {found}"
        raise CatalogueFileError([Problem(file, reporter.line_of(()), "", message)])

    # Sessions are checked against the clocks of the file's timezone; an invalid one is reported on its own.
    zone = _zone(data.get("timezone", DEFAULT_TIMEZONE))
    model: _CatalogueFile | None = None
    try:
        model = _CatalogueFile.model_validate(data, context={"zone": zone})
    except ValidationError as error:
        _report_validation_error(error, reporter)
    _check_across_file(data, reporter)
    if reporter.problems or model is None or zone is None:
        raise CatalogueFileError(reporter.sorted_problems())
    return _document(model, zone, reporter, file)


def _document(model: _CatalogueFile, zone: ZoneInfo, reporter: _Reporter, file: str) -> CatalogueDocument:
    return CatalogueDocument(
        timezone=zone.key,
        organisations=tuple(
            OrganisationSpec(o.name, o.price_band, tuple(o.tenant_ids), tuple(o.email_domains))
            for o in model.organisations
        ),
        courses=tuple(
            CourseSpec(
                code=course.code,
                title=course.title,
                summary=course.summary,
                description=course.description,
                target_audience=course.target_audience,
                prerequisites=course.prerequisites,
                duration=course.duration,
                delivery=course.delivery,
                outline_url=course.outline_url,
                learning_outcomes=tuple(course.learning_outcomes),
                reflection_questions=tuple(course.reflection_questions.items()),
                runs=tuple(
                    RunSpec(
                        code=run.code,
                        capacity=run.capacity,
                        join_url=run.join_url,
                        eligible_audience=run.eligibility.audience,
                        eligible_organisations=tuple(run.eligibility.organisations),
                        trainers=tuple(TrainerSpec(t.name, t.aad_object_id) for t in run.trainers),
                        prices_pence=run.prices.pence(),
                        sessions=tuple(
                            SessionSpec(_utc(s.date, s.start, zone), _utc(s.date, s.end, zone)) for s in run.sessions
                        ),
                        line=reporter.line_of(("courses", course_index, "runs", run_index)),
                    )
                    for run_index, run in enumerate(course.runs)
                ),
                line=reporter.line_of(("courses", course_index)),
            )
            for course_index, course in enumerate(model.courses)
        ),
        source=file,
    )
