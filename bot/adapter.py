"""The Bot Framework edge: authenticate each request, run the turn once, answer Teams.

:class:`EdgeAdapter` is botbuilder's ``CloudAdapter`` running on our :class:`EdgeBotFrameworkAuthentication`
(botbuilder's token validation, failures as 401) and our connector (one shared aiohttp session, cached app
tokens, no per-turn client construction). ``turn_context.send_activity``/``update_activity``, ``TeamsInfo``
member look-ups and proactive ``continue_conversation``/``create_conversation`` all go through
``adapter.connector`` (a :class:`~bot.connector.client.BotConnectorClient`, also usable directly, e.g. by the
notification outbox).

:func:`process_request` is what the ``/api/messages`` handler calls: 401 for a missing or invalid token
(nothing runs), 503 when the signing keys cannot be obtained, otherwise the turn — at most once per activity:
Teams redelivers an activity it got no answer to within ~15 s, and a redelivery of an activity that is still
running or answered in the last 10 minutes gets the same answer without running again, in this process. A
redelivery that reaches another process, or comes after a restart, is recognised by the activity's claim in the
database at the start of its turn (``bot/turn_preload.py``, ``classroom/receipts.py``) and not run again either.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import aiohttp
from aiohttp import web
from botbuilder.core import Bot, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ConversationParameters, ConversationReference
from botframework.connector.auth import AuthenticateRequestResult, ClaimsIdentity, ConnectorFactory, UserTokenClient
from msrest.serialization import Model

from bot.auth import AuthConfig, AuthenticationError, EdgeBotFrameworkAuthentication, KeySetRegistry, KeySetUnavailable
from bot.connector import BotConnectorClient, EdgeCredentialsFactory, SessionHolder, SessionHttpClientFactory
from bot.connector.serialization import fast_wire, shallow_wire
from bot.settings import Settings
from bot.turn_context import EdgeTurnContext
from storage import json_text

log = logging.getLogger(__name__)

REDELIVERY_WINDOW_SECONDS = 600.0
REDELIVERY_MAX_ENTRIES = 10_000
# Invoke answers carry whole cards (5-20 KB): bound the bytes too, or the entries alone would hold ~100 MB.
REDELIVERY_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    """The HTTP answer to one activity, kept so a redelivery gets the same answer."""

    status: int
    body: bytes | None = None

    def response(self) -> web.Response:
        if self.body is None:
            return web.Response(status=self.status)
        return web.Response(status=self.status, body=self.body, content_type="application/json", charset="utf-8")


class RedeliveryGuard:
    """Runs each activity once per process; concurrent or later redeliveries share the first answer.

    Only answers below 500 are remembered: after a failure, a redelivery runs the turn again. The oldest are
    forgotten first when the window, the entry count or the answers' total size would be exceeded.

    An answer is remembered as a tuple of plain values (time, status, body), which the garbage collector stops
    tracking (as it does any tuple of strings, numbers and bytes): up to 10,000 answers held for ten minutes were
    otherwise two tracked objects each, most of what each full collection scanned after start-up (half of the
    collector's oldest generation after a few seconds of d-card), and every turn in flight waits for a full one.
    """

    def __init__(
        self,
        *,
        window: float = REDELIVERY_WINDOW_SECONDS,
        max_entries: int = REDELIVERY_MAX_ENTRIES,
        max_bytes: int = REDELIVERY_MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._window = window
        self._max = max_entries
        self._max_bytes = max_bytes
        self._clock = clock
        self._done: OrderedDict[tuple[str, ...], tuple[float, int, bytes | None]] = OrderedDict()
        self.remembered_bytes = 0
        self._running: dict[tuple[str, ...], asyncio.Future[TurnOutcome]] = {}
        self.replayed = 0

    @staticmethod
    def key_for(activity: Activity) -> tuple[str, ...] | None:
        if not activity.id:
            return None
        conversation = activity.conversation.id if activity.conversation else ""
        return (activity.channel_id or "", conversation or "", activity.id)

    async def run(self, key: tuple[str, ...] | None, turn: Callable[[], Awaitable[TurnOutcome]]) -> TurnOutcome:
        if key is None:
            return await turn()
        now = self._clock()
        self._forget_older_than(now - self._window)
        remembered = self._done.get(key)
        if remembered is not None:
            self.replayed += 1
            log.info("redelivered activity %s answered from the first delivery", key[-1])
            _at, status, body = remembered
            return TurnOutcome(status, body)
        running = self._running.get(key)
        if running is not None:
            self.replayed += 1
            log.info("redelivered activity %s joins the delivery still running", key[-1])
            return await asyncio.shield(running)
        future: asyncio.Future[TurnOutcome] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._running[key] = future
        try:
            outcome = await turn()
        except BaseException as error:
            future.set_exception(error)
            raise
        finally:
            del self._running[key]
        if outcome.status < 500:
            self._done[key] = (self._clock(), outcome.status, outcome.body)
            self.remembered_bytes += len(outcome.body or b"")
            while len(self._done) > self._max or self.remembered_bytes > self._max_bytes:
                self._forget_oldest()
        future.set_result(outcome)
        return outcome

    def _forget_older_than(self, cutoff: float) -> None:
        while self._done:
            _key, (at, _status, _body) = next(iter(self._done.items()))
            if at >= cutoff:
                return
            self._forget_oldest()

    def _forget_oldest(self) -> None:
        _key, (_at, _status, body) = self._done.popitem(last=False)
        self.remembered_bytes -= len(body or b"")


class EdgeAdapter(CloudAdapter):
    """``CloudAdapter`` with our authentication and connector.

    Args:
        settings: the bot's settings (app id, app type, alternate endpoints, ...).
        session: the shared aiohttp client session; when None the adapter creates one on first use and
            :meth:`close` closes it.
        monotonic: a monotonic clock for key-set and token caches (tests pass a fake one).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        session: aiohttp.ClientSession | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.auth_config = AuthConfig.from_settings(settings)
        config = self.auth_config
        self.sessions = SessionHolder(session)
        self.credentials = EdgeCredentialsFactory(
            app_id=config.app_id,
            password=config.password,
            app_type=config.app_type,
            tenant_id=config.tenant_id,
            login_endpoint=config.login_url,
            oauth_scope=config.oauth_scope,
            validate_authority=config.validate_authority,
            sessions=self.sessions,
            clock=monotonic,
        )
        self.connector = BotConnectorClient(self.sessions, self.credentials)
        self.key_sets = KeySetRegistry(self.sessions, clock=monotonic)
        self.redeliveries = RedeliveryGuard()
        super().__init__(
            EdgeBotFrameworkAuthentication(
                config,
                credentials=self.credentials,
                connector=self.connector,
                key_sets=self.key_sets,
                http_client_factory=SessionHttpClientFactory(self.sessions),
            )
        )

    def _create_turn_context(
        self,
        activity: Activity,
        claims_identity: ClaimsIdentity,
        oauth_scope: str,
        connector_client: Any,
        user_token_client: UserTokenClient,
        logic: Callable[[TurnContext], Awaitable[Any]],
        connector_factory: ConnectorFactory,
    ) -> TurnContext:
        """``CloudAdapterBase._create_turn_context``, with our :class:`~bot.turn_context.EdgeTurnContext`."""
        context = EdgeTurnContext(self, activity)
        context.turn_state[self.BOT_IDENTITY_KEY] = claims_identity
        context.turn_state[self.BOT_CONNECTOR_CLIENT_KEY] = connector_client
        context.turn_state[self.USER_TOKEN_CLIENT_KEY] = user_token_client
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = logic
        context.turn_state[self.CONNECTOR_FACTORY_KEY] = connector_factory
        context.turn_state[self.BOT_OAUTH_SCOPE_KEY] = oauth_scope
        return context

    async def authenticate(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        """Raises AuthenticationError (answer 401) or KeySetUnavailable (answer 503)."""
        return await self.bot_framework_authentication.authenticate_request(activity, auth_header)

    # botbuilder annotates the optional parameters of continue_conversation and create_conversation `x: T = None`
    # and means `T | None`: the casts below hand None on to botbuilder, as before.
    async def continue_conversation(
        self,
        reference: ConversationReference,
        callback: Callable[..., Awaitable[Any]],
        bot_app_id: str | None = None,
        claims_identity: ClaimsIdentity | None = None,
        audience: str | None = None,
    ) -> Any:
        """Proactive turn; ``bot_app_id`` defaults to our own app id."""
        return await super().continue_conversation(
            reference,
            callback,
            bot_app_id or self.auth_config.app_id,
            cast(ClaimsIdentity, claims_identity),
            cast(str, audience),
        )

    # The signature is CloudAdapterBase's, which itself differs from BotAdapter.create_conversation's.
    async def create_conversation(  # type: ignore[override]
        self,
        bot_app_id: str | None,
        callback: Callable[..., Awaitable[Any]] | None = None,
        conversation_parameters: ConversationParameters | None = None,
        channel_id: str | None = None,
        service_url: str | None = None,
        audience: str | None = None,
    ) -> Any:
        """Start a conversation and run ``callback`` in it; ``bot_app_id`` defaults to our own app id."""
        return await super().create_conversation(
            bot_app_id or self.auth_config.app_id,
            cast(Callable[[TurnContext], Awaitable[Any]], callback),
            cast(ConversationParameters, conversation_parameters),
            cast(str, channel_id),
            cast(str, service_url),
            cast(str, audience),
        )

    async def close(self) -> None:
        """Close the client session if the adapter created it."""
        await self.sessions.close()


def build_adapter(settings: Settings, *, session: aiohttp.ClientSession | None = None) -> EdgeAdapter:
    """The adapter for ``settings``; pass the app's shared client session (see ``create_client_session``)."""
    adapter = EdgeAdapter(settings, session=session)
    if adapter.auth_config.enabled:
        log.info(adapter.auth_config.describe())
    else:
        log.warning(adapter.auth_config.describe())
    return adapter


def invoke_body_json(body: object) -> bytes:
    """An invoke answer's body as JSON bytes, as botbuilder's ``serializer_helper`` would write it.

    A card answer holds the whole card. msrest's serializer walks and type-checks every element of it (about
    2 ms for a coordinator's enquiry card, longer than the rest of the turn); here the card, plain JSON, is
    written by ``json`` in C. A body that is not plain JSON inside goes through the connector's model walk,
    and anything that does not reproduce exactly through msrest itself.
    """
    if isinstance(body, Model):
        shallow = shallow_wire(body)
        if shallow is not None:
            with contextlib.suppress(TypeError):  # a model or a datetime inside the free-form part
                return json_text.dumps_utf8(shallow)
        wire = fast_wire(body)
        if wire is not None:
            return json_text.dumps_utf8(wire)
    # serializer_helper is annotated to take a Model, yet botbuilder's own CloudAdapter hands it
    # InvokeResponse.body (any object, None included: it returns None for None), just as we do here.
    return json.dumps(serializer_helper(cast(Model, body))).encode("utf-8")


async def process_request(adapter: EdgeAdapter, activity: Activity, auth_header: str, bot: Bot) -> web.Response:
    """Authenticate, run the turn once, and turn its outcome into the HTTP answer Teams expects."""
    try:
        authentication = await adapter.authenticate(activity, auth_header)
    except AuthenticationError as error:
        log.warning(
            "401 for %s activity %s from %s: %s", activity.type, activity.id, activity.service_url, error.reason
        )
        return web.json_response({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})
    except KeySetUnavailable as error:
        log.error("503: cannot verify tokens: %s", error)
        return web.json_response({"error": "authentication_unavailable"}, status=503, headers={"Retry-After": "5"})

    async def turn() -> TurnOutcome:
        invoke_response = await adapter.process_activity(authentication, activity, bot.on_turn)
        if not invoke_response:
            return TurnOutcome(201)
        body = invoke_body_json(invoke_response.body)
        return TurnOutcome(int(invoke_response.status), body)

    outcome = await adapter.redeliveries.run(RedeliveryGuard.key_for(activity), turn)
    return outcome.response()
