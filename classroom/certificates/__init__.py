"""Certificates of attendance: issued to the people who completed a course run (the meetings feature decides who),
checked by anyone with their code, downloaded as a PDF by their holder."""
