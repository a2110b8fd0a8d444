"""The test suite's plugins (``tests/support``): the database and the
applications, a real SMTP server on loopback, the two ways a browser
requests a page, and the factories that build accounts, structures and
demandes through the real operations."""

pytest_plugins = (
    "tests.support.database",
    "tests.support.smtp",
    "tests.support.web",
    "tests.support.factories",
    "tests.support.organisations",
    "tests.support.concurrency",
)
