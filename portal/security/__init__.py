"""Sign-in guards, rate limits, field encryption, and recorded access to personal data."""
