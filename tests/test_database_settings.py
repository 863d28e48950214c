"""How the app's own database connections are set up."""

from django.db import connection


def test_jit_is_off_on_the_apps_postgresql_connections(db):
    if connection.vendor == "postgresql":
        # JIT compilation once took 3.6 s of a 3.9 s search query.
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
    else:
        assert "options" not in connection.settings_dict["OPTIONS"]
