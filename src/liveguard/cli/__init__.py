"""The liveguard command."""
