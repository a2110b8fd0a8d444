"""The models and the Alembic migrations describe the same schema: what
`flask db check` says on a database migrated to the latest revision (the
test database is), on SQLite and on PostgreSQL."""


def test_models_and_migrations_agree(app):
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)
