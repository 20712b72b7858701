"""Course evaluation against the course's learning outcomes: before/after confidence, then-test, satisfaction."""
