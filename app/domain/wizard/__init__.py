"""The wizard engine: the six steps every téléservice goes through, what
each step asks (the fixed steps here, « Votre dossier » from the
téléservice's definition), how typed values are checked, and each step's
state (complété / à compléter / à corriger).

Answers are stored exactly as typed (strings, lists, budget lines), step by
step, in ``Demande.answers``: a draft keeps even an invalid value, so
nothing a person typed is ever lost; checking happens on « Suivant », on the
récapitulatif and when the demande is filed.
"""
