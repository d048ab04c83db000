"""Pure game rules: state, action and `now` in; new state and events out. No I/O here."""
