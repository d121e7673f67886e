"""Who is calling: API tokens and console sessions for staff, consumers and merchants,
stored only as SHA-256 digests, and staff passwords hashed with scrypt."""
