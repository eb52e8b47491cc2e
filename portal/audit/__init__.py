"""The audit trail: what is recorded, and how it reads in words."""
