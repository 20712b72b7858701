"""Enrolment on course runs: eligibility, prices, places and the waitlist, clash reviews, reminders, calendars.

Operations in the modules here take the caller's ``AsyncSession`` and never commit; ``EnrolmentService``
(``service.py``) is what dialogs use: it owns one transaction per call and retries it when the database
reports a transient conflict, so a lost race never books a place twice.
"""
