"""The evidence ledger: an append-only RFC 9162 Merkle log, checkpoints, proofs, bundles."""
