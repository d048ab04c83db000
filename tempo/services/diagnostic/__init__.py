"""The self-diagnostic and the final bilan."""
