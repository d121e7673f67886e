"""Who is calling: API tokens and console sessions for staff, consumers and merchants."""
