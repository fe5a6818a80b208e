"""Progress on a terminal: tasks and bytes done out of the total, per phase."""

import sys
import time


class Progress:
    def __init__(self, enabled, out=sys.stderr):
        self.enabled = enabled
        self.out = out
        self.name, self.ntasks, self.nbytes = "", 0, 0
        self.tasks_done, self.bytes_done, self.last = 0, 0, 0.0
        self.t0 = time.monotonic()

    def phase(self, name, ntasks, nbytes):
        self.name, self.ntasks, self.nbytes = name, ntasks, nbytes
        self.tasks_done, self.bytes_done = 0, 0
        self.t0 = time.monotonic()
        self._show(force=True)

    def done(self, nbytes):
        self.tasks_done += 1
        self.bytes_done += nbytes
        self._show(force=self.tasks_done == self.ntasks)

    def _show(self, force=False):
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        line = f"{self.name}: {self.tasks_done}/{self.ntasks} tasks"
        if self.nbytes:
            dt = now - self.t0
            rate = self.bytes_done / dt / 1e6 if dt > 0 else 0.0
            line += (f", {self.bytes_done / 1e6:.1f}/{self.nbytes / 1e6:.1f} MB"
                     f" ({rate:.{0 if rate >= 10 else 1}f} MB/s)")
        self.out.write("\r\033[K" + line)
        self.out.flush()

    def end(self):
        if self.enabled:
            self.out.write("\r\033[K")
            self.out.flush()
