"""Product listings. Versions and listing review arrive with the listing-review issue."""
