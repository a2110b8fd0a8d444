"""Téléservices as data: each one is a YAML definition in ``definitions/``,
parsed and checked by ``schema``, loaded into the database (versioned) by
``flask teleservices load``. The wizard engine reads only these definitions:
nothing in the code is specific to one téléservice."""
