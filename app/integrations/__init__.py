"""Clients of the outside services the portal talks to (organisation lookup, mail)."""
