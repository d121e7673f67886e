"""Detection: texts normalised and matched against rules held as data (``data/rules/``), each
with its legal basis; a classifier per category for phrasings no rule lists; platforms'
overlays on the shipped rules, every version kept."""
