"""Detection: normalised text matched against rules held as data, with their legal basis."""
