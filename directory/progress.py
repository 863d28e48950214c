"""A tiny progress bar for long imports and exports on the command line."""

import sys


class ProgressBar:
    """Draw "label [#####     ] 512/1000" on stderr, only when it is a terminal.

    Redirected output (a log, CI) gets nothing, so logs stay readable.
    """

    WIDTH = 30

    def __init__(self, label, total, stream=None, force=False):
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()

    def advance(self, n=1):
        self.done += n
        if self.enabled and (self.done == self.total or self.done % 100 == 0):
            filled = self.WIDTH * min(self.done, self.total) // self.total
            bar = "#" * filled + " " * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            self.stream.flush()

    def finish(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
