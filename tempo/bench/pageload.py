"""First load of the player page in headless Chromium (filled in below)."""
