"""Personal information: field encryption with blind indexes for exact lookups, and the log of
who read which personal data in clear and why."""
