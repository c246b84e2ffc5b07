#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tablet window's benchmarks, each against a baseline measured in the same run, under an X
server of their own (Xvfb) and a session bus of their own (dbus-run-session):

  start        process start to the first frame painted: `intake` on a tablet of 10,000
               interviews against a bare GTK window (tests/bench/bench-bare-window.c)
  unlock-home  the unlock's session arriving (Argon2id excluded: the tablet's unlock cost is the
               tests' one) to the first frame of home with its lists filled, over 10,000
               interviews, against reading the same 10,000 rows in a bare SQLite loop
  memory       the peak resident memory (VmHWM) of `intake` showing that home, against the bare
               GTK window's

The app reports its frames with INTAKE_TRACE (ui/intake-window.c). The PIN is tapped on the pad
with xdotool, as a finger would. Both sides use GTK's cairo renderer with GL disabled (Xvfb has
no GPU), without the accessibility bridge. Prints
one last line "bench: ui-NAME ratio=R (details)". Exit 77 (skipped) without Xvfb, xdotool or
dbus-run-session.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
N_INTERVIEWS = 10000
# Where the pad's keys are at the window's default size (1280x800, no window manager: the window
# sits at 0,0). The user tile is looked up the same way; a miss shows as no "unlocked" line.
TILE_ANA = (533, 212)
KEYS = {"1": (500, 318), "2": (640, 318), "3": (780, 318), "4": (500, 419), "5": (640, 419),
        "6": (780, 419), "7": (500, 520), "8": (640, 520), "9": (780, 520), "0": (640, 621),
        "OK": (780, 621)}
WORKER_PIN = "246622"


def now_us():
    return time.monotonic_ns() // 1000


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


class Traced:
    """A GUI program started with INTAKE_TRACE; waits for its trace lines."""

    def __init__(self, cmd, env, trace):
        self.cpu_us = None
        e = dict(env)
        e["INTAKE_TRACE"] = trace
        self.t_start = now_us()
        self.proc = subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)

    def wait_for(self, event, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("%s ended before %s" % (self.proc.args[0], event))
            words = line.split()
            if len(words) >= 3 and words[0] == "intake-trace:" and words[1] == event:
                self.cpu_us = int(words[3]) if len(words) > 3 else None
                return int(words[2])
        raise SystemExit("no %s from %s" % (event, self.proc.args[0]))

    def memory_kib(self, field="VmHWM"):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise SystemExit("no %s" % field)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def tap(env, xy):
    subprocess.run(["xdotool", "mousemove", str(xy[0]), str(xy[1]), "click", "1"], env=env,
                   check=True)


def unlock_to_home(args, env, tablet):
    """One unlock of the worker on the pad; returns (ms from session to home, the main thread's
    CPU ms in that time, app)."""
    app = Traced([args.intake, "--data-dir", tablet], env, "1")
    app.wait_for("first-frame")
    tap(env, TILE_ANA)
    time.sleep(0.3)
    for d in WORKER_PIN:
        tap(env, KEYS[d])
    tap(env, KEYS["OK"])
    t_unlocked = app.wait_for("unlocked")
    cpu_unlocked = app.cpu_us
    t_home = app.wait_for("home")
    return (t_home - t_unlocked) / 1000, (app.cpu_us - cpu_unlocked) / 1000, app


def inner(args):
    env = dict(os.environ)
    env.update({"GSK_RENDERER": "cairo", "LANGUAGE": "en", "LC_ALL": "C.UTF-8",
                "GSETTINGS_BACKEND": "memory", "GTK_A11Y": "none", "NO_AT_BRIDGE": "1",
                # Xvfb has no GPU: GDK would still load Mesa's software GL (LLVM, 40+ MiB of
                # library pages) only to probe it, though the cairo renderer never uses it.
                "GDK_DEBUG": "gl-disable"})
    work = tempfile.mkdtemp(prefix="intake-bench-ui-")
    try:
        tablet = args.tablet or os.path.join(work, "tablet")
        if not args.tablet:
            t0 = time.monotonic()
            subprocess.run([args.tablet_tool, "make", tablet, str(N_INTERVIEWS)], check=True)
            print("# a tablet of %d interviews made in %.1f s" % (N_INTERVIEWS,
                                                                 time.monotonic() - t0))
        if args.what == "start":
            ours, bare = [], []
            for r in range(args.runs * 2):
                # Alternate which goes first, so that the machine's noise falls on both alike.
                for side in ((0, 1) if r % 2 == 0 else (1, 0)):
                    if side == 0:
                        p = Traced([args.intake, "--data-dir", tablet], env,
                                   "exit-after-first-frame")
                        ours.append((p.wait_for("first-frame") - p.t_start) / 1000)
                    else:
                        p = Traced([args.bare, "exit"], env, "1")
                        bare.append((p.wait_for("first-frame") - p.t_start) / 1000)
                    p.proc.wait(30)
                    p.stop()
            m, b = median(ours), median(bare)
            print("bench: ui-start ratio=%.2f (process start to first frame: intake_ms=%.0f "
                  "bare_gtk_window_ms=%.0f runs=%d target<=400 ms)" % (m / b, m, b, len(ours)))
        elif args.what == "unlock-home":
            ours, cpu = [], []
            for r in range(args.runs):
                ms, cpu_ms, app = unlock_to_home(args, env, tablet)
                app.stop()
                ours.append(ms)
                cpu.append(cpu_ms)
            out = subprocess.run([args.tablet_tool, "read", tablet], check=True,
                                 capture_output=True, text=True).stdout.split()
            bare_ms = int(out[0].split("=")[1]) / 1000
            m = median(ours)
            print("bench: ui-unlock-home ratio=%.2f (session to home painted over %d interviews: "
                  "median_ms=%.0f min_ms=%.0f main_thread_cpu_median_ms=%.0f runs=%d; bare "
                  "SQLite loop over the same %s: median_ms=%.1f; target<=50 ms)"
                  % (m / bare_ms, N_INTERVIEWS, m, min(ours), median(cpu), len(ours), out[1],
                     bare_ms))
        elif args.what == "memory":
            ms, cpu_ms, app = unlock_to_home(args, env, tablet)
            time.sleep(1)
            ours, ours_anon = app.memory_kib(), app.memory_kib("RssAnon")
            app.stop()
            p = Traced([args.bare, "stay"], env, "1")
            p.wait_for("first-frame")
            time.sleep(1)
            bare, bare_anon = p.memory_kib(), p.memory_kib("RssAnon")
            p.stop()
            print("bench: ui-memory ratio=%.2f (peak resident memory, VmHWM: intake showing "
                  "home over %d interviews mib=%.1f (anonymous now %.1f); bare GTK window "
                  "mib=%.1f (anonymous %.1f); target<=100 MiB)"
                  % (ours / bare, N_INTERVIEWS, ours / 1024, ours_anon / 1024, bare / 1024,
                     bare_anon / 1024))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def start_xvfb():
    for _ in range(20):
        n = random.randint(100, 4000)
        if os.path.exists("/tmp/.X11-unix/X%d" % n) or os.path.exists("/tmp/.X%d-lock" % n):
            continue
        proc = subprocess.Popen(["Xvfb", ":%d" % n, "-screen", "0", "1280x800x24", "-nolisten",
                                 "tcp", "-noreset"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            if os.path.exists("/tmp/.X11-unix/X%d" % n):
                return proc, ":%d" % n
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    raise SystemExit("could not start Xvfb")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["start", "unlock-home", "memory"])
    p.add_argument("--intake", required=True)
    p.add_argument("--bare", required=True)
    p.add_argument("--tablet-tool", required=True)
    p.add_argument("--tablet", help="an existing tablet (as made by bench-ui-tablet)")
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--inner", action="store_true")
    args = p.parse_args()
    if args.inner:
        return inner(args)
    missing = [t for t in ("Xvfb", "xdotool", "dbus-run-session") if not shutil.which(t)]
    if missing:
        print("1..0 # SKIP missing: " + ", ".join(missing))
        return SKIP
    xvfb, display = start_xvfb()
    try:
        env = dict(os.environ)
        env["DISPLAY"] = display
        env.pop("WAYLAND_DISPLAY", None)
        return subprocess.run(["dbus-run-session", "--", sys.executable,
                               os.path.abspath(sys.argv[0]), "--inner"] + sys.argv[1:],
                              env=env, timeout=560).returncode
    finally:
        xvfb.terminate()
        xvfb.wait()


if __name__ == "__main__":
    sys.exit(main())
