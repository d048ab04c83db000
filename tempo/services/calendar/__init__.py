"""The game calendar: unlocking and closing days, pause and resume."""
