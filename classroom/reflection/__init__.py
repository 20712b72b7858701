"""Reflection after each session and the private CPD log it feeds (Social Work England's form)."""
