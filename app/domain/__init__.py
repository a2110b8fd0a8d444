"""Domain operations: the only code that changes state.

Each public operation is one unit of work decorated with ``@operation``: it
checks what it must, changes models, records an audit event, queues its
emails in the outbox, and commits — or rolls everything back on error.
Operations never touch Flask's request: the caller passes an
``OperationContext`` (who acts, from which address).
"""
