"""What an operator meets when something is wrong: a weak key, a database down, an empty export."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core import config, create_app
from core.db import db


def test_production_refuses_a_short_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CHANGING_LIVES_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x")
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        config.from_environment(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    assert config.from_environment(str(tmp_path))["SECRET_KEY"] == "k" * 32


def test_personal_words_in_a_failed_statement_never_reach_the_log(app):
    with app.app_context():
        assert db.engine.hide_parameters is True
        with pytest.raises(IntegrityError) as failed:
            with db.engine.begin() as connection:
                connection.execute(text("INSERT INTO users (id, email, display_name, password_hash, created_at) "
                                        "VALUES (NULL, NULL, :name, 'x', CURRENT_TIMESTAMP)"),
                                   {"name": "Words a service user wrote"})
        # PostgreSQL quotes the failing row in its message; what is logged keeps neither that nor the values
        from core.errors import for_the_log

        logged = for_the_log(failed.value)
        assert "Words a service user wrote" not in logged
        assert "INSERT INTO users" in logged


@pytest.mark.parametrize("args", [("tenant", "list"), ("plugins", "list", "--tenant", "north"), ("events", "verify"),
                                  ("events", "export", "--tenant", "north"), ("events", "replay")])
def test_commands_say_plainly_when_the_database_cannot_be_reached(tmp_path, args):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}",
                      "SECRET_KEY": "test-secret", "TESTING": True})
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: The database could not be used"), result.output
    assert "Traceback" not in result.output


def test_an_empty_export_does_not_verify(app, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = app.test_cli_runner().invoke(args=["events", "verify", "--file", str(empty)])
    assert result.exit_code == 1
    assert result.output.startswith(f"FAILED: {empty} holds no events.")


@pytest.mark.parametrize("password, problem", [
    (" " * 14, "at least 12 characters"),
    ("   short    ", "at least 12 characters"),
    ("password1234", "too common or too easy to guess"),
    ("qwertyuiop12", "too common or too easy to guess"),
    ("aaaaaaaaaaaaaaaa", "too common or too easy to guess"),
])
def test_weak_passwords_are_refused_in_plain_words(password, problem):
    from core.auth import password_problem

    assert problem in password_problem(password)


@pytest.mark.parametrize("password", ["kettle orbit maple", "correct horse battery", "wtcw-5cut-3bk4-taq5"])
def test_three_random_words_or_a_long_random_password_are_fine(password):
    from core.auth import password_problem

    assert password_problem(password) is None
