"""Stand-ins for the outside services, running for real on loopback.

``tests.fakes.api_entreprise``: API Entreprise v4 and API Recherche
d'entreprises (``FakeApiEntreprise``, ``Fault``).
"""
