"""Personal information: field encryption, masking, and (later) data-subject rights."""
