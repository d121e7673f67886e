"""Reports for regulators and the public: a period's findings, complaints and posts
counted (on DuckDB), drawn as SVG charts, rendered once as a web page and once as a PDF
with the same charts, stored, and the PDF's SHA-256 appended to the evidence ledger. Also
the consumer association's seven harms (S13), counted from a mapping kept as data."""
