"""In-session polls: a chat linked to a course run, polls launched there, one answer per person, live results.

- ``kinds``: what each kind of poll asks and accepts (a small typed family; single choice so far).
- ``links``: which run a chat belongs to (``link RUN``, ``unlink``).
- ``voters``: the key a vote is stored under (the voter's id, or a keyed hash of it for anonymous polls).
- ``polls``: launch, vote and close, each one transaction; ``notices``: the shared card in the outbox.
- ``service``: ``PollService``, what dialogs call.
"""
