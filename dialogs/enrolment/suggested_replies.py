"""Answers offered as Teams suggested actions: tapping one sends its text as if the person had typed it.

Used for the questions of a dialog: a card button with a command (``submit``) is a request of its own (the
question is asked again after it), while a suggested reply is an ordinary message the question receives. Teams shows
at most three, so longer lists are only numbered in the question itself.
"""

from __future__ import annotations

from botbuilder.schema import ActionTypes, Activity, CardAction, SuggestedActions

MAX_SUGGESTED = 3  # Teams displays the first three suggested actions only


def with_suggested_replies(activity: Activity, replies: list[str]) -> Activity:
    if 0 < len(replies) <= MAX_SUGGESTED:
        activity.suggested_actions = SuggestedActions(
            actions=[CardAction(type=ActionTypes.im_back, title=reply, value=reply) for reply in replies]
        )
    return activity
