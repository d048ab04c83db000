"""Privacy by design: a player's data exported, erased, and everything purged after retention."""
