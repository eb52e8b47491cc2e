"""The second sign-in factor (TOTP) of the city's staff and admins."""
