"""Trade: on-platform orders and their status changes, delivery promises, and the daily check
(``flows``) that records broken promises and opens a case for the buyer."""
