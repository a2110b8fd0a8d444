"""Security helpers: password hashing and policy, signed single-use tokens."""
