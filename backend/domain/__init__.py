"""Pure domain model: no framework, no I/O."""
