"""Services: plain functions that the entry points call."""
