"""Enquiries: participants ask, coordinators assign, answer and close; a daily digest keeps none forgotten."""
