"""Demandes d'aide, from the first draft to the council's decision.

- ``drafts``: starting a draft, saving a step as typed, its documents;
- ``filing``: « Déposer ma demande » (reference, beneficiary snapshot);
- ``transmission``: the référent transmits after the CA, or sends it back;
- ``instruction``: the council's processing and decision;
- ``receipts``: the accusé de réception PDF and its verification;
- ``notifications``: the emails to the applicant side;
- ``queries``: what pages read of demandes (the applicant's list, a demande
  by id, its documents);
- ``backoffice_list`` and ``exports``: the council's list, its filters,
  sorts, pages and files.

What each status allows is the lifecycle table's (``app.models.lifecycle``),
who may act the policy's (``app.policy``).
"""
