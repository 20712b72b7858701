"""Renderers of features' notification kinds; each module has ``register(registry, ...)`` for the app to call."""
