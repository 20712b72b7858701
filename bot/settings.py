"""Every setting of the bot, read from the environment and an optional ``.env`` file."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from classroom.enrolment.policy import parse_durations
from classroom.errors import InvalidInput
from classroom.reflection.sealing import parse_keys


class AppType(StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'classroom.sqlite3'}"


class Settings(BaseSettings):
    """Settings; names match the environment variables (case-insensitive), documented in README."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = Field(default=3978, ge=1, le=65535)
    timezone: str = "Europe/London"
    log_level: str = "INFO"

    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_type: AppType = AppType.MULTI_TENANT
    microsoft_app_tenant_id: str = ""

    # Alternate-cloud endpoints, under the Bot Framework's own names (empty: public Azure cloud).
    to_bot_from_channel_openid_metadata_url: str = ""
    to_bot_from_channel_token_issuer: str = ""
    to_channel_from_bot_login_url: str = ""
    to_channel_from_bot_oauth_scope: str = ""
    oauth_url: str = ""
    validate_authority: bool = True

    # Conversations: a dialog (an enquiry, an enrolment, a search) left unanswered this long is closed when the
    # person next writes, instead of taking their new message as the answer to a question asked long ago.
    dialog_timeout_hours: float = Field(default=24, gt=0, le=24 * 30)

    # Enquiries: the coordinators' daily digest (local time, working days) and when an enquiry is overdue.
    enquiry_digest_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    enquiry_overdue_working_days: int = Field(default=2, ge=1, le=30)

    # Enrolment: how long a freed place is held for the next person waiting; reminders before each session
    # (durations such as 7d, 1d, 1h, 90m); the trainers' reminder; how long an "Add to calendar" link works; and
    # where people's browsers reach the bot for it (empty: https://BOT_DOMAIN, else http://HOST:PORT).
    waitlist_offer_hours: float = Field(default=48, gt=0, le=24 * 30)
    reminder_offsets: str = "7d,1d,1h"
    trainer_reminder_offset: str = "1h"
    calendar_link_days: int = Field(default=30, ge=1, le=366)
    public_base_url: str = Field(default="", pattern=r"^(https?://[^\s/]+(/\S*)?)?$")

    # Polls: in a meeting chat, launching and closing also need the meeting's Organizer or Presenter role, asked of
    # Teams; when Teams cannot answer, true lets the stored roles decide alone (false: refuse, saying why).
    meeting_role_fallback: bool = False
    # How long a download link for poll answers (CSV) works: it carries people's names and answers.
    poll_export_link_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)

    # Reflection: each session's prompt goes this long after its end (a duration), one nudge this many days later
    # if unfinished; REFLECTION_KEYS are the Fernet keys reflections are sealed with (first seals, all open).
    reflection_delay: str = "15m"
    reflection_nudge_days: int = Field(default=3, ge=1, le=30)
    reflection_keys: str = ""

    # Meetings: present for at least this share of a session (per cent) counts as attended; less is "partly".
    attendance_share_percent: int = Field(default=75, ge=1, le=100)
    # How long a download link for a run's attendance (CSV) works: it carries people's names.
    attendance_export_link_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # Evaluation: the "before" survey goes when a place is confirmed ("confirmed") or when the first session starts
    # ("first-session"); the "after" survey can be answered this many days after the last session ends; the report
    # card goes to the run's trainers and the coordinators this many days after the last session ends; its CSV
    # download link works this many minutes.
    evaluation_before: Literal["confirmed", "first-session"] = "confirmed"
    evaluation_after_days: int = Field(default=14, ge=1, le=90)
    evaluation_report_days: int = Field(default=7, ge=0, le=90)
    evaluation_export_link_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)

    @field_validator("reflection_keys")
    @classmethod
    def _reflection_keys(cls, value: str) -> str:
        try:
            parse_keys(value)
        except InvalidInput as error:
            raise ValueError(str(error)) from error
        return value

    @field_validator("reminder_offsets", "trainer_reminder_offset", "reflection_delay")
    @classmethod
    def _durations(cls, value: str, info: ValidationInfo) -> str:
        try:
            offsets = parse_durations(value)
        except InvalidInput as error:
            raise ValueError(str(error)) from error
        if info.field_name in ("trainer_reminder_offset", "reflection_delay") and len(offsets) != 1:
            raise ValueError("give one duration, such as 1h")
        return value

    # Data protection: how long a "my data" download link works, and how long each kind of data is kept before the
    # daily purge removes it (days; see classroom/privacy/retention.py for what each kind is).
    my_data_link_days: int = Field(default=7, ge=1, le=30)
    retention_closed_enquiries_days: int = Field(default=365, ge=1)
    retention_finished_notifications_days: int = Field(default=90, ge=1)
    retention_download_links_days: int = Field(default=1, ge=0)
    retention_dialog_state_days: int = Field(default=30, ge=1)
    retention_poll_answers_days: int = Field(default=365, ge=1)
    retention_audit_entries_days: int = Field(default=2190, ge=30)
    retention_evaluation_keys_days: int = Field(default=365, ge=30)
    retention_booking_records_days: int = Field(default=2190, ge=1)
    retention_reflections_of_the_gone_days: int = Field(default=1095, ge=30)
    retention_attendance_events_days: int = Field(default=730, ge=30)

    # Entra object ids of the first admins: the coordinator and admin roles on start, unless revoked in Teams.
    admin_aad_object_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("ADMIN_AAD_OBJECT_IDS", "admin_aad_object_ids")
    )

    # The Teams app package (`classroom-bot manifest build`): where the bot is hosted and who publishes it.
    bot_domain: str = ""  # public host name of the bot's HTTPS endpoint, e.g. classroom.example.org
    teams_app_developer_name: str = "Classroom bot"
    teams_app_website_url: str = ""
    teams_app_privacy_url: str = ""
    teams_app_terms_url: str = ""

    @field_validator("admin_aad_object_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {value!r}") from error
        return value

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def browser_base_url(self) -> str:
        """Where people's browsers reach the bot: PUBLIC_BASE_URL, else https://BOT_DOMAIN, else http://HOST:PORT."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        if self.bot_domain:
            return f"https://{self.bot_domain}"
        return f"http://{self.host}:{self.port}"

    @property
    def auth_enabled(self) -> bool:
        return bool(self.microsoft_app_id)

    @property
    def enquiry_digest_cron(self) -> str:
        """Crontab (in ``timezone``) of the enquiry digest: at ``enquiry_digest_time`` Monday to Friday."""
        hour, minute = self.enquiry_digest_time.split(":")
        return f"{int(minute)} {int(hour)} * * mon-fri"
