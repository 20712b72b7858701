"""Administration in Teams: who holds which role, granting and revoking roles, linking trainers to runs, and the
record of every such change (``admin_changes``, written only here)."""
