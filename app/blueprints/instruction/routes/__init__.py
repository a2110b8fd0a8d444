"""Routes of the back office: ``home``, ``demandes_list`` (the list, its bulk
actions and exports), ``demande`` (one demande and its actions),
``structures``."""
