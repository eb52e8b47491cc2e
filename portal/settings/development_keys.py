"""Keys for personal data at rest that the test suite uses (``test`` settings), and a one-machine database made before
``var/secrets.env`` existed (``machine_secrets``); a fresh one-machine set-up makes keys of its own.

They are public (they are in the repository), so the deployment check refuses them in production
(``portal.checks.check_field_keys``). Generate real ones with ``manage.py rotate_field_keys --new-key``.
"""

DEVELOPMENT_FIELD_KEY = "EUsAlM97nn98PPpZYgLURTgZJaeVZ7jqAwcsu3I8dbI="
DEVELOPMENT_HMAC_KEY = "development-only-hmac-key-not-a-secret-0123456789"
