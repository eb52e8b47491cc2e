"""The inbox, e-mail outbox and staff digests."""
