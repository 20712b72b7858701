"""Settings of proactive delivery, from the environment (``DELIVERY_*``) or ``.env``.

Several replicas share Teams' per-app ceiling: give each ``DELIVERY_APP_MAX_PER_SECOND`` = 49 // replicas
(for example 24 with two). Per-conversation limits need no sharing: a claim does not take rows of a chat another
live replica is sending to (two claims racing at the same instant can still split one; Teams' 429 with
Retry-After covers that rare case).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.delivery.dispatcher import DispatcherConfig
from bot.delivery.rate_limiter import DEFAULT_APP_PER_SECOND, RateLimits
from bot.delivery.retry_policy import RetryPolicy


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DELIVERY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    enabled: bool = True  # false: this replica queues but never sends (e.g. a web-only replica)
    app_max_per_second: int = Field(default=DEFAULT_APP_PER_SECOND, ge=1, le=50)
    conversation_margin_seconds: float = Field(default=0.05, ge=0, le=5)
    max_attempts: int = Field(default=8, ge=1, le=50)
    retry_base_seconds: float = Field(default=1.0, gt=0)
    retry_max_seconds: float = Field(default=300.0, gt=0)
    lease_seconds: float = Field(default=60.0, ge=5)
    tick_seconds: float = Field(default=5.0, gt=0)  # the scheduler's wake-up; catches other replicas' enqueues
    max_in_flight: int = Field(default=64, ge=1)

    def rate_limits(self) -> RateLimits:
        return RateLimits(app_per_second=self.app_max_per_second, conversation_margin=self.conversation_margin_seconds)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts, base_delay=self.retry_base_seconds, max_delay=self.retry_max_seconds
        )

    def dispatcher_config(self) -> DispatcherConfig:
        return DispatcherConfig(
            max_in_flight=self.max_in_flight,
            lease=timedelta(seconds=self.lease_seconds),
            max_idle=max(self.tick_seconds * 2, 1.0),
        )
