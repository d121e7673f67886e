"""Trade: on-platform orders, what was promised about their delivery, and broken promises."""
