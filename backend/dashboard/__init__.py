"""The care-staff dashboard: Flask blueprints that translate requests into service calls."""

from backend.dashboard.setup import init_dashboard

__all__ = ["init_dashboard"]
