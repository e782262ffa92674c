"""Municipal notices: model, targeting, recurrence and the YAML loader (pure domain, no I/O)."""
