"""Live play: actions, the team log and locks, snapshots, players, teams, checkpoints, proofs."""
