#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every UI scenario shares: the outer run (Xvfb, a session bus, the accessibility bus), a
tablet data folder made with intakectl, the running `intake` window and its accessible tree,
screenshots, and the small steps of an interview.

A scenario script imports this module and calls run(inner), where inner(args, check) drives one
window and calls check(ok, what) for each TAP line. Exit status: 0 passed, 1 failed, 77 skipped
(no Xvfb, D-Bus or AT-SPI on this machine).
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
WORKER, WORKER_PIN = "ana", "246622"
ADMIN_PIN = "135791"
SUPERVISOR, SUPERVISOR_PIN = "sri", "975310"
NOTE = "Please ask about the wages again"
SENTINEL = "Sentinel7731"


def log(*args):
    print("#", *args, flush=True)


class Failure(Exception):
    pass


def outer(args):
    missing = [t for t in ("xvfb-run", "dbus-run-session", "import") if not shutil.which(t)]
    if not os.path.exists(LAUNCHER):
        missing.append(LAUNCHER)
    try:
        import pyatspi  # noqa: F401
    except ImportError:
        missing.append("python3-pyatspi")
    if missing:
        print("1..0 # SKIP missing: " + ", ".join(missing))
        return SKIP
    # A display number of our own: two runs back to back on :99 (xvfb-run's default) can meet
    # the previous server while it is still going away. -noreset: by default the X server
    # resets when its last client leaves (the accessibility bus launcher does, early), and a
    # window connecting during the reset is refused ("cannot open display").
    display = str(random.randint(100, 4000))
    cmd = ["dbus-run-session", "--", "xvfb-run", "-a", "-n", display,
           "-s", "-screen 0 1280x800x24 -noreset",
           sys.executable, os.path.abspath(sys.argv[0]), "--inner"] + sys.argv[1:]
    try:
        return subprocess.run(cmd, timeout=args.timeout).returncode
    except subprocess.TimeoutExpired:
        print("not ok - the UI test did not finish in %d s" % args.timeout)
        return 1


# ---- the inner run: inside the session bus and the X server ----

def ctl(args, data_dir, *words, stdin=""):
    cmd = [args.intakectl, "--data-dir", data_dir] + list(words)
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise Failure("intakectl %s: %s" % (" ".join(words), r.stderr.strip()))
    return r.stdout


def make_tablet(args, data_dir):
    ctl(args, data_dir, "init", "--admin", "admin", "--kdf-cost", "test", "--pin-stdin",
        stdin=ADMIN_PIN + "\n")
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "user", "add", WORKER, "--role",
        "worker", stdin="%s\n%s\n" % (ADMIN_PIN, WORKER_PIN))
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "user", "add", SUPERVISOR, "--role",
        "supervisor", stdin="%s\n%s\n" % (ADMIN_PIN, SUPERVISOR_PIN))
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "policy", "set", "max_failed_unlocks",
        "5", stdin=ADMIN_PIN + "\n")
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "form", "import", args.form,
        stdin=ADMIN_PIN + "\n")


def end_process(proc):
    """Ends a process this script started: SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def answer_opening(app):
    """From the first question of the bundled form to its pseudonym question: in private, at a
    shelter, the language already answered by the choice made before, no interpreter, the
    explanation, consent to the screening only."""
    answer_choice(app, "somewhere private", "Yes")
    answer_choice(app, "Where is this interview", "Shelter")
    # The interview's language was answered by the language just chosen.
    on_question(app, "Which language is the person")
    app.wait(role=("label",), name="Saved")
    app.press("Next")
    answer_choice(app, "Is anyone interpreting", "No interpreter")
    on_question(app, "Explain: why we are asking")
    app.press("Next")
    answer_choice(app, "What does the person agree to", "The screening only, nothing shared")
    on_question(app, "Pseudonym for this record")


class App:
    """One running `intake` and its accessible tree."""

    def __init__(self, args, data_dir, extra_env=None):
        import pyatspi
        self.pyatspi = pyatspi
        env = dict(os.environ)
        env.update({"GSK_RENDERER": "cairo", "GTK_A11Y": "atspi", "G_DEBUG": "fatal-criticals",
                    "NO_AT_BRIDGE": "0", "LANGUAGE": "en", "LC_ALL": "C.UTF-8"})
        env.update(extra_env or {})
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([args.intake, "--data-dir", data_dir], env=env,
                                     stdout=self.stderr, stderr=self.stderr)
        self.root = None
        self.last_press = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.root is None:
            self.check_alive()
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                a = desktop.getChildAtIndex(i)
                try:
                    if a is not None and a.get_process_id() == self.proc.pid:
                        self.root = a
                except Exception:
                    pass
            time.sleep(0.2)
        if self.root is None:
            raise Failure("intake never appeared on the accessibility bus")

    def check_alive(self):
        if self.proc.poll() is not None:
            self.stderr.seek(0)
            raise Failure("intake exited with %s:\n%s" % (
                self.proc.returncode, self.stderr.read().decode(errors="replace")[-3000:]))

    def stop(self):
        end_process(self.proc)
        # What the window said on its standard error, for the log (warnings, notices).
        self.stderr.seek(0)
        for line in self.stderr.read().decode(errors="replace").splitlines():
            if line.strip():
                print("# intake: " + line, flush=True)
        self.stderr.seek(0)
        self.stderr.truncate()

    def walk(self, node=None, showing=True):
        """Every accessible below node (depth first), skipping hidden subtrees (the window hides
        the stack pages it does not show)."""
        STATE_VISIBLE = self.pyatspi.STATE_VISIBLE
        stack = [node or self.root]
        while stack:
            n = stack.pop()
            if n is None:
                continue
            try:
                if showing and n is not self.root and not n.getState().contains(STATE_VISIBLE):
                    continue
                yield n
                kids = [n.getChildAtIndex(i) for i in range(n.childCount)]
            except Exception:
                continue
            stack.extend(reversed(kids))

    def find_all(self, role=None, name=None, contains=None):
        found = []
        for n in self.walk():
            try:
                if role is not None and n.getRoleName() not in role:
                    continue
                nm = n.name or ""
                if name is not None and nm != name:
                    continue
                if contains is not None and contains not in nm:
                    continue
                found.append(n)
            except Exception:
                continue
        return found

    def wait(self, role=None, name=None, contains=None, timeout=30, what=None):
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            found = self.find_all(role, name, contains)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise Failure("timed out waiting for %s" % (
                    what or "%s %r" % (role, name or contains)))
            time.sleep(0.15)

    def wait_gone(self, role=None, name=None, contains=None, timeout=30):
        deadline = time.monotonic() + timeout
        while self.find_all(role, name, contains):
            self.check_alive()
            if time.monotonic() > deadline:
                raise Failure("%s %r still shown" % (role, name or contains))
            time.sleep(0.1)

    # GtkButton's activation (what AT-SPI's "click" does) holds the button down for 250 ms and
    # ignores another activation meanwhile: the same button pressed twice within that time
    # (a repeated PIN digit, Next on two pages in a row) counts once.
    ACTIVATE_GAP = 0.3

    def _do_action(self, node, name):
        since = time.monotonic() - self.last_press.get(name, 0)
        if since < self.ACTIVATE_GAP:
            time.sleep(self.ACTIVATE_GAP - since)
        node.queryAction().doAction(0)
        self.last_press[name] = time.monotonic()

    def try_press(self, name, role=("push button", "button", "toggle button")):
        """Presses @name if it is on screen now; False if it is not (or went away)."""
        for node in self.find_all(role, name=name):
            try:
                self._do_action(node, name)
                return True
            except Exception:
                return False
        return False

    def press(self, name, role=("push button", "button", "toggle button"), timeout=30):
        """Activates the control named @name. A page rebuilt between finding a control and
        pressing it leaves a defunct object behind: find it again and retry."""
        deadline = time.monotonic() + timeout
        while True:
            node = self.wait(role, name=name, timeout=max(1, deadline - time.monotonic()))
            try:
                self._do_action(node, name)
                return node
            except Exception as e:
                if time.monotonic() > deadline:
                    raise Failure("cannot press %r: %s" % (name, e))
                time.sleep(0.1)

    def dump(self):
        """The visible tree, for the log of a failed run."""
        for n in self.walk():
            try:
                depth, p = 0, n
                while p is not None and p is not self.root and depth < 60:
                    p, depth = p.parent, depth + 1
                print("#%s %s %r" % ("  " * depth, n.getRoleName(), n.name))
            except Exception:
                continue

    def all_text(self):
        """Every name, description and text the tree holds, hidden widgets included."""
        texts = []
        for n in self.walk(showing=False):
            try:
                texts.append(n.name or "")
                texts.append(n.description or "")
                try:
                    t = n.queryText()
                    texts.append(t.getText(0, t.characterCount))
                except Exception:
                    pass
            except Exception:
                continue
        return "\n".join(texts)


def screenshot(args, name):
    os.makedirs(args.screenshots, exist_ok=True)
    path = os.path.join(args.screenshots, name + ".png")
    subprocess.run(["import", "-window", "root", path], check=True, timeout=30)
    log("screenshot", path)


def enter_pin(app, pin):
    app.wait(name="Digit 1", timeout=20)
    for d in pin:
        app.press("Digit " + d)
    app.press("OK")


def interviews(args, data_dir):
    return json.loads(ctl(args, data_dir, "--user", WORKER, "--pin-stdin", "--json",
                          "interview", "list", stdin=WORKER_PIN + "\n"))


def interview_answers(args, data_dir, iid):
    doc = json.loads(ctl(args, data_dir, "--user", WORKER, "--pin-stdin", "--json",
                         "interview", "show", iid, stdin=WORKER_PIN + "\n"))
    return doc, doc.get("answers", {})


def on_question(app, title):
    """Waits until the page shows the question whose title contains @title."""
    return app.wait(role=("label",), contains=title, what="the question %r" % title)


def answer_choice(app, title, label):
    """On the question @title, taps a choice, waits for the screen to say the answer is saved
    (the page starts without "Saved" when the question has no answer), then Next."""
    on_question(app, title)
    app.press(label, role=("toggle button", "push button", "button"))
    app.wait(role=("label",), name="Saved", timeout=20)
    app.press("Next")


def emit_prepare_for_sleep():
    """Emits logind's PrepareForSleep(true) from the name org.freedesktop.login1 on the session
    bus."""
    from gi.repository import Gio, GLib
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    # RequestName directly: the signal must come from the owner of logind's name.
    bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                  "RequestName", GLib.Variant("(su)", ("org.freedesktop.login1", 4)),
                  None, Gio.DBusCallFlags.NONE, 5000, None)
    bus.emit_signal(None, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                    "PrepareForSleep", GLib.Variant("(b)", (True,)))
    bus.flush_sync(None)


def to_summary(app):
    """"Prefer not to say" to every question left (each is an answer), Next past notes, until
    the summary's Complete shows."""
    buttons = ("push button", "button")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if app.find_all(buttons, name="Complete"):
            return
        # Whatever this page offers: "Prefer not to say" on a question, Next on a note. A page
        # may change under our feet (the tree is read while the app rebuilds it).
        app.try_press("Prefer not to say") or app.try_press("Next")
        time.sleep(0.05)
    raise Failure("the summary never came")



def start_accessibility_bus():
    """Starts the accessibility bus and waits until it answers; the app must start after it, or
    GTK never registers. Returns the launcher's process."""
    launcher = subprocess.Popen([LAUNCHER, "--launch-immediately"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r = subprocess.run(["dbus-send", "--session", "--print-reply",
                            "--dest=org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus.GetAddress"],
                           capture_output=True)
        if r.returncode == 0:
            break
        time.sleep(0.2)
    return launcher


def run(scenario):
    """The command line every scenario takes; the outer run re-runs the script inside
    dbus-run-session and xvfb-run, the inner one calls scenario(args, check, tmp) with a
    temporary folder and prints TAP. scenario returns the App still running, or None."""
    p = argparse.ArgumentParser()
    p.add_argument("--inner", action="store_true")
    p.add_argument("--intake", required=True)
    p.add_argument("--intakectl", required=True)
    p.add_argument("--form", required=True)
    p.add_argument("--screenshots", required=True)
    p.add_argument("--timeout", type=int, default=280)
    p.add_argument("--intake-server", default=None,
                   help="intake-server, for scenarios that enroll the tablet")
    args = p.parse_args()
    if not args.inner:
        return outer(args)
    results = []
    state = {"app": None}

    def check(ok, what):
        results.append((ok, what))
        print("%s %d - %s" % ("ok" if ok else "not ok", len(results), what), flush=True)
        if not ok:
            raise Failure(what)

    launcher = start_accessibility_bus()
    tmp = tempfile.mkdtemp(prefix="intake-ui-")
    try:
        scenario(args, check, tmp, state)
    except Exception as e:
        print("not ok - %s: %s" % (type(e).__name__, e), flush=True)
        app = state.get("app")
        if app is not None:
            try:
                app.dump()
                screenshot(args, "failure-" + os.path.basename(sys.argv[0]).split(".")[0])
            except Exception:
                pass
        return 1
    finally:
        if state.get("app") is not None:
            state["app"].stop()
        launcher.terminate()
        try:
            launcher.wait(10)
        except subprocess.TimeoutExpired:
            launcher.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    return 0


# ---- the keyboard: real key events into the X server (xdotool) ----

def focus_window(app):
    """Gives the window the X input focus (there is no window manager under Xvfb): keys typed
    after this go to it."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(app.proc.pid)],
                           capture_output=True, text=True)
        ids = r.stdout.split()
        if ids:
            subprocess.run(["xdotool", "windowfocus", "--sync", ids[-1]], check=True, timeout=20)
            return
        time.sleep(0.2)
    raise Failure("the window of intake never showed (xdotool search)")


def keys(*names, delay=0.25):
    """Presses and releases each key (xdotool names: Tab, Return, space, Down, ctrl+Return, 7),
    one after another, leaving the window time to act on each."""
    for name in names:
        subprocess.run(["xdotool", "key", "--clearmodifiers", name], check=True, timeout=20)
        time.sleep(delay)


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "60", text], check=True, timeout=60)
    time.sleep(0.2)


def focused(app):
    """The accessible that has the keyboard focus, or None."""
    STATE_FOCUSED = app.pyatspi.STATE_FOCUSED
    for n in app.walk():
        try:
            if n.getState().contains(STATE_FOCUSED) and n.getRoleName() not in (
                    "frame", "window", "dialog", "alert", "application"):
                return n
        except Exception:
            continue
    return None


def wait_focus(app, name=None, contains=None, timeout=15):
    """Waits until the focus is on a control named @name (or whose name contains @contains)."""
    deadline = time.monotonic() + timeout
    while True:
        app.check_alive()
        n = focused(app)
        try:
            nm = n.name if n is not None else None
        except Exception:
            nm = None
        if nm is not None and (name is None or nm == name) and (
                contains is None or contains in nm):
            return n
        if time.monotonic() > deadline:
            raise Failure("the focus is on %r, not on %r" % (nm, name or contains))
        time.sleep(0.15)
class Server:
    """A real intake-server on a free loopback port with its own SQLite database in @tmp: init,
    serve (plain HTTP, loopback only), and its admin commands. stop() ends it."""

    def __init__(self, args, tmp):
        if not args.intake_server:
            raise Failure("this scenario needs --intake-server")
        self.bin = args.intake_server
        self.dir = os.path.join(tmp, "server")
        os.makedirs(self.dir, exist_ok=True)
        self.db = "sqlite:" + os.path.join(self.dir, "server.db")
        self.run("init", "--secret-key-out", os.path.join(self.dir, "org.key"))
        self.out = open(os.path.join(self.dir, "serve.out"), "w+")
        self.log = open(os.path.join(self.dir, "serve.log"), "w+")
        self.proc = subprocess.Popen([self.bin, "--db", self.db, "serve", "--listen",
                                      "127.0.0.1:0"], stdout=self.out, stderr=self.log)
        self.url = None
        deadline = time.monotonic() + 30
        while self.url is None and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure("intake-server serve exited with %s" % self.proc.returncode)
            self.out.seek(0)
            for line in self.out.read().splitlines():
                if line.startswith("listening on "):
                    self.url = line.split()[-1]
            time.sleep(0.1)
        if self.url is None:
            raise Failure("intake-server never said where it listens")

    def run(self, *words):
        r = subprocess.run([self.bin, "--db", self.db] + list(words), capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 0:
            raise Failure("intake-server %s: %s" % (" ".join(words), r.stderr.strip()))
        return r.stdout

    def new_token(self, device):
        return self.run("device", "add", device).split()[-1]

    def stop(self):
        end_process(self.proc)


# ---- added for the adaptive scenario: the window's own extents, overflow, window screenshots ----

def window_extents(app):
    """(x, y, width, height) of the app's window (its frame) as AT-SPI reports it."""
    import pyatspi
    for i in range(app.root.childCount):
        w = app.root.getChildAtIndex(i)
        try:
            if w is not None and w.getState().contains(pyatspi.STATE_VISIBLE):
                e = w.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
                return (e.x, e.y, e.width, e.height)
        except Exception:
            continue
    raise Failure("the window has no extents")


CONTROL_ROLES = ("push button", "button", "toggle button", "label", "text", "entry",
                 "password text", "check box", "radio button", "spin button", "progress bar",
                 "list item", "list box", "calendar")


def controls_past_right_edge(app, slack=1):
    """The visible controls whose extents reach past the right edge of the window (or start
    left of it): [(role, name, x, width)]. Controls scrolled out of view vertically are fine;
    nothing should need a horizontal scroll."""
    import pyatspi
    wx, wy, ww, wh = window_extents(app)
    bad = []
    for n in app.walk():
        try:
            role = n.getRoleName()
            if role not in CONTROL_ROLES:
                continue
            e = n.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        except Exception:
            continue
        if e.width <= 0 or e.height <= 0:
            continue
        if e.x + e.width > wx + ww + slack or e.x < wx - slack:
            bad.append((role, n.name, e.x, e.width))
    return bad


def screenshot_window(args, app, name):
    """A screenshot of the window alone (the X screen is larger than a narrow window)."""
    os.makedirs(args.screenshots, exist_ok=True)
    path = os.path.join(args.screenshots, name + ".png")
    x, y, w, h = window_extents(app)
    subprocess.run(["import", "-window", "root", "-crop", "%dx%d+%d+%d" % (w, h, max(x, 0),
                    max(y, 0)), "+repage", path], check=True, timeout=30)
    log("screenshot", path)
    return path


def pixel_luminance(path, x, y):
    """The luminance (0..1) of one pixel of a PNG, read with ImageMagick."""
    fx = "%%[fx:(p{%d,%d}.r+p{%d,%d}.g+p{%d,%d}.b)/3]" % (x, y, x, y, x, y)
    r = subprocess.run(["convert", path, "-format", fx, "info:"],
                       capture_output=True, text=True, timeout=30, check=True)
    return float(r.stdout.strip())


def _relative_luminance(rgb):
    """WCAG 2's relative luminance of an sRGB colour (0..255 each)."""
    def channel(c):
        c = c / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_contrast(path, x, y, w, h):
    """The WCAG contrast ratio of the text drawn in one region of a screenshot: the region's
    commonest colour is its background, the glyph pixel farthest from it in luminance is the
    text (the core of a stroke, where antialiasing does not mix in the background)."""
    r = subprocess.run(["convert", path, "-crop", "%dx%d+%d+%d" % (w, h, x, y), "+repage",
                        "-depth", "8", "txt:-"], capture_output=True, text=True, timeout=30,
                       check=True)
    counts = {}
    for line in r.stdout.splitlines()[1:]:
        # "0,0: (250,250,250)  #FAFAFA  srgb(250,250,250)"
        try:
            rgb = tuple(int(float(v)) for v in line.split("(", 1)[1].split(")", 1)[0]
                        .split(",")[:3])
        except (IndexError, ValueError):
            continue
        counts[rgb] = counts.get(rgb, 0) + 1
    if not counts:
        raise Failure("no pixels in %dx%d+%d+%d of %s" % (w, h, x, y, path))
    background = max(counts, key=counts.get)
    lb = _relative_luminance(background)
    best = 1.0
    for rgb in counts:
        lt = _relative_luminance(rgb)
        hi, lo = max(lb, lt), min(lb, lt)
        best = max(best, (hi + 0.05) / (lo + 0.05))
    return best


def label_contrast(args, app, label, name):
    """The contrast of an on-screen label's words, from a screenshot of the window."""
    import pyatspi
    time.sleep(0.5)
    path = screenshot_window(args, app, name)
    e = label.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    return text_contrast(path, max(e.x, 0), max(e.y, 0), e.width, e.height)


def decline_in_view(app):
    """Whether "Prefer not to say" is on screen whole, inside the window, without scrolling:
    (ok, its extents, the window's)."""
    import pyatspi
    node = app.wait(("push button", "button"), name="Prefer not to say")
    e = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    wx, wy, ww, wh = window_extents(app)
    # GTK 4.8 does not say "showing" for a widget scrolled out of a scrolled window: the
    # extents do (outside the window's).
    ok = (e.width > 0 and e.height >= 48 and e.y >= wy
          and e.y + e.height <= wy + wh and e.x >= wx and e.x + e.width <= wx + ww)
    return ok, (e.x, e.y, e.width, e.height), (wx, wy, ww, wh)


# Acronyms written in capitals everywhere, not shouted words.
CAPITALS_ALLOWED = {"PIN", "PINS", "CSV", "URL", "HTTPS", "OK", "ID", "QR", "ILO", "IOM", "NGO",
                    "SMS"}


def all_capitals_words(app):
    """The words of three letters or more shown in capitals alone (visible widgets only)."""
    import re
    words = set()
    for n in app.walk():
        try:
            texts = [n.name or ""]
            try:
                t = n.queryText()
                texts.append(t.getText(0, t.characterCount))
            except Exception:
                pass
        except Exception:
            continue
        for text in texts:
            for w in re.findall(r"\b[A-Z]{3,}\b", text):
                if w not in CAPITALS_ALLOWED:
                    words.add(w)
    return sorted(words)


def cut_labels(path):
    """What the window wrote to INTAKE_DEBUG_CUT_REPORT: the labels it showed cut off."""
    if not os.path.exists(path):
        return []
    return [line.rstrip("\n") for line in open(path, encoding="utf-8") if line.strip()]
