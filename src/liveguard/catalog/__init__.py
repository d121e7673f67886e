"""Product listings: every version and price kept, each reviewed against the rules in
``data/`` (label facts, qualifications, prices, shipping, claims), staff decisions and
appeals, sampling results that pull a listing, and what a buyer sees before buying."""
