"""Use cases: load, call the engine, persist, return events. Services own the transaction."""
