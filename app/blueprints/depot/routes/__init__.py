"""Routes of « Déposer une demande d'aide »: ``catalogue`` (« Choix du
téléservice ») and ``wizard`` (the six steps)."""
