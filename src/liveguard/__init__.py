"""LiveGuard: consumer protection and compliance for live-stream commerce."""

__version__ = "0.1.0"
