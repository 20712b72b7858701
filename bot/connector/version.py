"""The User-Agent the connector sends: botbuilder's own, so Teams sees a Bot Framework SDK client."""

from __future__ import annotations

from botframework.connector.about import __version__ as _botbuilder_version

USER_AGENT = f"Microsoft-BotFramework/3.1 (BotBuilder Python/{_botbuilder_version}) classroom-bot"
