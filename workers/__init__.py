"""Dramatiq actors, the broker chosen by settings, and the schedules."""
