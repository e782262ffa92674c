"""Mimamori backend: domain, services, stores, settings and command line."""
