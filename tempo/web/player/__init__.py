"""The player-facing pages: joining and playing, the journal, appointments, the diagnostic."""
