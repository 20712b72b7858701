"""Every setting of the bot, read from the environment and an optional ``.env`` file."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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

    # Entra object ids of the first coordinators; they get the coordinator and admin roles on start.
    admin_aad_object_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("ADMIN_AAD_OBJECT_IDS", "admin_aad_object_ids")
    )

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
    def auth_enabled(self) -> bool:
        return bool(self.microsoft_app_id)
