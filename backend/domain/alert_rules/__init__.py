"""The alert rules, by family; ``backend.domain.rules`` is their one entry point."""
