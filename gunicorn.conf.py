"""gunicorn settings for production (`make serve` uses them too)."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads, so a long download (a streamed export of a whole directory) is not
# taken for a hung worker: with the sync worker, `timeout` ends any request
# that runs longer, cutting a 200 response off mid-file. The worker's main
# thread keeps answering the arbiter while its threads serve requests.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
# No log names a visitor: the access log gives the path only (no query string,
# which is what someone searched for; no client address, referrer or user
# agent), and the error log says what kind of request was refused, not what it
# carried or where it came from. The logger class enforces both whatever the
# format says (docs/privacy.md).
logger_class = "directory.log_filters.PrivateGunicornLogger"
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    # Tables each process builds once (places, choice lists): before the
    # first visitor, not during their search (directory/warmup.py).
    from directory import warmup

    warmup.warm()
