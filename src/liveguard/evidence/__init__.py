"""The evidence ledger: an append-only RFC 9162 Merkle log, per-person keys for sealed fields,
signed checkpoints, proofs, audits, and bundles anyone can verify offline."""
