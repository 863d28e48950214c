"""The app served by gunicorn in a process of its own, as in production, for tests that need one."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(port, **extra):
    """Production settings on loopback, without the suite's own DJANGO_ and GUNICORN variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN"))}
    return {
        **env,
        "DEBUG": "0",
        "SECRET_KEY": "app-server-test-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _serving(server, port, deadline):
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


@contextmanager
def gunicorn(env, log_path):
    """Serve the app with gunicorn.conf.py on env["BIND"] until the block ends."""
    port = int(env["BIND"].rsplit(":", 1)[1])
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
            + ["--no-control-socket", "advocacy.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        assert _serving(server, port, time.monotonic() + 60), Path(log_path).read_text()
        yield port
    finally:
        stop(server)


def stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def manage(env, *args):
    """Run manage.py with `env`; return its output, failing loudly when it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
