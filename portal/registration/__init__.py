"""Third parties: registration, its correction, and verification by the talent centre."""
