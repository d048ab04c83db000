"""The 10-day calendar: unlocking and closing days, pause and resume."""
