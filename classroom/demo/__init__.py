"""Demo data: the two source course pages as a catalogue with future dates."""

from classroom.demo.catalogue import demo_catalogue

__all__ = ["demo_catalogue"]
