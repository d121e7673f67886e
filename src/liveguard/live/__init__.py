"""Live sessions and their recorded events. The real-time monitor arrives with its issue."""
