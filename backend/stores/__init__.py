"""Store adapters that implement the ports in ``backend.ports``."""
