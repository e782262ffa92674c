"""Question sets: schema, built-in catalog and municipality sets."""
