"""Proactive delivery: the host side of the notification outbox (see ``service.DeliveryService``)."""
