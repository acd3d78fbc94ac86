"""Cases: status vocabulary, working-day calendar, import, lookup and verification, demo data."""
