"""Forms of the back office: ``demandes_list`` (filters, bulk actions),
``demande`` (the actions on one demande), ``structures``."""
