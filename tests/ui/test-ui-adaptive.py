#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The window from a tablet down to a 360 px portrait window, in two interface languages, in the
dark and high-contrast styles, and with Khmer and Burmese questions.

The interface language switched on the unlock screen and in the middle of an interview (labels
change, the same question stays open, what was typed a moment before is saved, answers intact
per intakectl); a wrong PIN said in Bahasa Indonesia; the choice remembered by the tablet;
every main screen at 360x720 with no visible control past the window's right edge (AT-SPI
extents); screenshots in the dark and high-contrast styles; a Khmer and a Burmese question that
wrap inside the window. Screenshots go to --screenshots.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uikit import *  # noqa: E402,F401,F403

NARROW = {"INTAKE_WINDOW_SIZE": "360x720"}
# Where the window writes the labels it shows cut off (set by scenario()).
CUT_REPORT = {"path": None}


def narrow_env(args, **more):
    """360x720, and the build tree's translations (po/ beside app/ in the build folder)."""
    env = dict(NARROW)
    if CUT_REPORT["path"]:
        env["INTAKE_DEBUG_CUT_REPORT"] = CUT_REPORT["path"]
    env["INTAKE_LOCALEDIR"] = os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(args.intake))), "po")
    env.update(more)
    return env
TYPED = "Typed just now 4417"
SCRIPTS_FORM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts-form.json")


def check_fits(app, check, what):
    # Give the layout a moment after the page change to settle at this width.
    bad = []
    for _ in range(10):
        bad = controls_past_right_edge(app)
        if not bad:
            break
        time.sleep(0.3)
    x, y, w, h = window_extents(app)
    check(not bad and w <= 362,
          "%s at %dx%d: nothing past the right edge %s" % (what, w, h, bad[:5] or ""))


def check_nothing_cut(check, what):
    # The window looks every 300 ms: give it time to see the last page.
    time.sleep(0.8)
    cut = cut_labels(CUT_REPORT["path"])
    check(not cut, "%s at 360 px: no words cut off (label width against its longest word, "
                   "Pango's ellipsis) %s" % (what, cut[:5] or ""))


def disclaimer_start(args):
    import json
    with open(args.form, encoding="utf-8") as f:
        d = json.load(f).get("scoring", {}).get("disclaimer")
    text = d.get("en") if isinstance(d, dict) else d
    return (text or "")[:30]


def start_app(args, data_dir, env):
    """App(), tried twice: this scenario starts the window seven times, and once in a while a
    window under Xvfb never shows up on the accessibility bus (seen once in a dozen runs)."""
    for attempt in range(2):
        app = App.__new__(App)
        try:
            App.__init__(app, args, data_dir, env)
            return app
        except Failure as e:
            if "never appeared" not in str(e) or attempt == 1 or not hasattr(app, "proc"):
                raise
            log("the window did not appear on the accessibility bus; starting it again")
            app.stop()
    raise Failure("unreachable")


def to_summary_fitting(app):
    """As uikit's to_summary, looking at every page on the way: the pages (by their progress
    line) where the window had to grow past 360 px or a control reached past its right edge."""
    buttons = ("push button", "button")
    bad_pages = {}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if app.find_all(buttons, name="Complete"):
            return bad_pages
        try:
            progress = [n.name for n in app.find_all(("label",), contains="Question ")]
            bad = controls_past_right_edge(app)
            x, y, w, h = window_extents(app)
            if bad or w > 352:
                bad_pages[(progress or ["?"])[0]] = (w, bad[:3])
        except Exception:
            pass
        app.try_press("Prefer not to say") or app.try_press("Next")
        time.sleep(0.05)
    raise Failure("the summary never came")


def remembered_language(data_dir):
    path = os.path.join(data_dir, "interface.ini")
    if not os.path.exists(path):
        return None
    for line in open(path):
        if line.startswith("language="):
            return line.strip().split("=", 1)[1]
    return None


def switch_language(app, menu_name, language, shot=None, args=None):
    """Through the header's menu, on whatever page is shown."""
    # GtkMenuButton carries the name; the button inside it is what takes the press.
    deadline = time.monotonic() + 20
    while True:
        menu = app.wait(name=menu_name, what="the language menu %r" % menu_name)
        try:
            targets = [menu] + [menu.getChildAtIndex(i) for i in range(menu.childCount)]
            for t in targets:
                try:
                    if t.queryAction().nActions > 0:
                        t.queryAction().doAction(0)
                        break
                except Exception:
                    continue
            else:
                raise Failure("the language menu cannot be pressed")
            app.wait(name=language, timeout=5)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    if shot is not None:
        time.sleep(0.3)
        screenshot_window(args, app, shot)
    app.press(language)


def part_language_and_narrow(args, check, tmp, state):
    data_dir = os.path.join(tmp, "tablet")
    make_tablet(args, data_dir)
    app = start_app(args, data_dir, narrow_env(args))
    state["app"] = app

    app.wait(name=WORKER, what="the worker's tile")
    x, y, w, h = window_extents(app)
    check(w <= 362, "the window opens 360 px wide (%dx%d)" % (w, h))
    screenshot_window(args, app, "adaptive-unlock-360")
    check_fits(app, check, "unlock")

    # The language row on the unlock screen, each language named in itself.
    app.press("Bahasa Indonesia")
    app.wait(role=("label",), name="Siapa yang memakai tablet ini?", timeout=20)
    check(True, "Bahasa Indonesia on the unlock screen: the page says it in Indonesian")
    check(remembered_language(data_dir) == "id", "the tablet remembers the choice (id)")
    screenshot_window(args, app, "adaptive-unlock-360-id")
    check_fits(app, check, "unlock in Indonesian")

    # A wrong PIN, said by the store in Indonesian with the attempts left.
    app.press(WORKER)
    app.wait(name="Angka 1", timeout=20)
    for d in "111111":
        app.press("Angka " + d)
    app.press("OK")
    app.wait(role=("label",), contains="PIN salah untuk 'ana': tersisa 4 percobaan", timeout=30,
             what="the wrong-PIN message in Indonesian")
    check(True, "a wrong PIN is said in Indonesian with the attempts left")
    screenshot_window(args, app, "adaptive-wrong-pin-id")
    check_fits(app, check, "the PIN pad in Indonesian")

    # Back to English from the header, on the PIN pad: the same user's pad comes back.
    switch_language(app, "Bahasa layar", "English")
    app.wait(role=("label",), name="PIN for ana", timeout=20)
    check(remembered_language(data_dir) == "en",
          "English again from the header: the PIN pad of the same user, in English")
    enter_pin(app, WORKER_PIN)
    app.wait(name="New interview", timeout=60)
    screenshot_window(args, app, "adaptive-home-360")
    check_fits(app, check, "home")
    check(bool(app.find_all(role=("label",), name="Screen: English")),
          "the header's language control says what it changes: \"Screen: English\"")
    # Home in Indonesian, the sync engine's state too (a pass says it again after the switch).
    switch_language(app, "Language of the screens", "Bahasa Indonesia")
    app.wait(role=("label",), contains="belum terdaftar di server", timeout=30,
             what="the sync state in Indonesian")
    check(True, "home and the sync state in Indonesian")
    screenshot_window(args, app, "adaptive-home-360-id")
    check_fits(app, check, "home in Indonesian")
    switch_language(app, "Bahasa layar", "English")
    app.wait(role=("label",), contains="not enrolled with a server", timeout=30)

    # An interview; a few answers; then text typed and, before its autosave, the language.
    app.press("New interview")
    app.wait(("push button", "button"), name="Bahasa Indonesia", what="the respondent's language")
    screenshot_window(args, app, "adaptive-respondent-language-360")
    check_fits(app, check, "the respondent's language choice")
    app.press("English")
    answer_opening(app)
    screenshot_window(args, app, "adaptive-question-360")
    check_fits(app, check, "a question")
    check(bool(app.find_all(("push button", "button"), name="Respondent: English")),
          "the interview's language control says what it changes: \"Respondent: English\"")
    iid = interviews(args, data_dir)[0]["id"]
    _, before = interview_answers(args, data_dir, iid)
    view = app.wait(role=("text",), what="the pseudonym text view")
    view.queryEditableText().setTextContents(TYPED)
    switch_language(app, "Language of the screens", "Bahasa Indonesia",
                    shot="adaptive-language-menu-360", args=args)
    app.wait(("push button", "button"), name="Berikutnya", timeout=20)
    on_question(app, "Pseudonym for this record")
    check(True, "mid-interview: the buttons in Indonesian, the same question open, the "
                "question itself still in the respondent's language")
    _, after = interview_answers(args, data_dir, iid)
    check(after.get("pseudonym") == TYPED,
          "what was typed a moment before the switch is saved (%r)" % after.get("pseudonym"))
    same = {k: v for k, v in before.items() if k != "pseudonym"}
    check(all(after.get(k) == v for k, v in same.items()),
          "every other answer is intact after the switch")
    view = app.wait(role=("text",), what="the pseudonym text view, rebuilt")
    t = view.queryText()
    check(t.getText(0, t.characterCount) == TYPED, "the rebuilt page shows the saved text")
    screenshot_window(args, app, "adaptive-question-360-id")
    check_fits(app, check, "a question in Indonesian")

    switch_language(app, "Bahasa layar", "English")
    app.wait(("push button", "button"), name="Next", timeout=20)
    on_question(app, "Pseudonym for this record")
    check(True, "and back to English at the same question")
    app.press("Next")
    answer_choice(app, "Are you in danger now", "No")
    answer_choice(app, "injury or illness", "No")
    # A number that is not one cannot be saved: the language waits, and says why.
    on_question(app, "How old are you")
    entry = app.wait(role=("text", "entry"), what="the number entry")
    entry.queryEditableText().setTextContents("3x")
    switch_language(app, "Language of the screens", "Bahasa Indonesia")
    app.wait(role=("label",), contains="Correct the answer first", timeout=20,
             what="the toast that asks to correct the answer")
    check(bool(app.find_all(("push button", "button"), name="Next")),
          "an answer that cannot be saved keeps the language (and says why)")
    entry = app.wait(role=("text", "entry"), what="the number entry")
    entry.queryEditableText().setTextContents("34")
    app.wait(role=("label",), name="Saved", timeout=20)
    screenshot_window(args, app, "adaptive-number-360")
    check_fits(app, check, "a number question with its pad")
    ok, where, window = decline_in_view(app)
    check(ok, "at 360x720, with the keypad, \"Prefer not to say\" is in view without "
              "scrolling (%s in %s)" % (where, window))
    app.press("Next")
    bad_pages = to_summary_fitting(app)
    check(not bad_pages, "every later question fits at 360 px %s" % (bad_pages or ""))
    app.wait(role=("label",), contains="Screening result", what="the screening result")
    screenshot_window(args, app, "adaptive-summary-360")
    check_fits(app, check, "the summary")
    disclaimer = app.wait(role=("label",), contains=disclaimer_start(args),
                          what="the disclaimer")
    ratio = label_contrast(args, app, disclaimer, "contrast-disclaimer-light")
    check(ratio >= 4.5, "the disclaimer has a contrast of %.2f:1 (at least 4.5:1) in the light "
                        "style" % ratio)
    caps = all_capitals_words(app)
    check(not caps, "no word in capitals on the summary %s" % (caps or ""))
    check_nothing_cut(check, "unlock, home, the questions and the summary")
    # The summary, too, is rebuilt in place.
    switch_language(app, "Language of the screens", "Bahasa Indonesia")
    app.wait(("push button", "button"), name="Selesaikan", timeout=20)
    app.wait(role=("label",), name="Ringkasan")
    check(True, "on the summary: the summary again, in Indonesian")
    screenshot_window(args, app, "adaptive-summary-360-id")
    check_fits(app, check, "the summary in Indonesian")
    _, final = interview_answers(args, data_dir, iid)
    check(final.get("pseudonym") == TYPED and final.get("danger_now") == "no"
          and final.get("age") == 34,
          "answers intact at the end")
    app.stop()
    state["app"] = None

    # The choice survives a restart of the window.
    app = start_app(args, data_dir, narrow_env(args))
    state["app"] = app
    app.wait(role=("label",), name="Siapa yang memakai tablet ini?", timeout=30)
    check(True, "started again, the window opens in the language the tablet was left in")
    app.press("English")
    app.wait(role=("label",), name="Who is using the tablet?", timeout=20)
    app.stop()
    state["app"] = None
    return data_dir


def part_styles(args, check, data_dir, state):
    for style, env, dark in (("dark", {"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"}, True),
                             ("high-contrast", {"ADW_DEBUG_HIGH_CONTRAST": "1"}, False),
                             ("dark-high-contrast", {"ADW_DEBUG_COLOR_SCHEME": "prefer-dark",
                                                     "ADW_DEBUG_HIGH_CONTRAST": "1"}, True)):
        app = start_app(args, data_dir, narrow_env(args, **env))
        state["app"] = app
        app.wait(name=WORKER, what="the worker's tile")
        path = screenshot_window(args, app, "adaptive-unlock-%s" % style)
        lum = pixel_luminance(path, 8, 200)
        check(lum < 0.3 if dark else lum > 0.7,
              "%s: the page background is %s (luminance %.2f)" % (
                  style, "dark" if dark else "light", lum))
        app.press(WORKER)
        enter_pin(app, WORKER_PIN)
        app.wait(name="New interview", timeout=60)
        screenshot_window(args, app, "adaptive-home-%s" % style)
        sync_label = app.wait(role=("label",), contains="not enrolled", timeout=30,
                              what="the sync state")
        ratio = label_contrast(args, app, sync_label, "contrast-home-%s" % style)
        check(ratio >= 4.5, "%s: the sync state (secondary text) has a contrast of %.2f:1 (at "
                            "least 4.5:1)" % (style, ratio))
        rows = interviews(args, data_dir)
        if rows and rows[0]["state"] == "draft":
            # The draft opens at its first unanswered question, or at its summary when every
            # question has an answer (a "Change" there opens a question).
            app.press("Continue " + TYPED)
            deadline = time.monotonic() + 20
            while not app.find_all(("push button", "button"), name="Next"):
                if app.find_all(("push button", "button"), name="Complete"):
                    screenshot_window(args, app, "adaptive-summary-%s" % style)
                    change = app.wait(("push button", "button"), contains="Change: ",
                                      what="a Change button on the summary")
                    app.press(change.name)
                    app.wait(("push button", "button"), name="Next", timeout=20)
                    break
                if time.monotonic() > deadline:
                    raise Failure("the draft opened neither a question nor its summary")
                time.sleep(0.2)
            screenshot_window(args, app, "adaptive-question-%s" % style)
        app.stop()
        state["app"] = None


def part_scripts(args, check, tmp, state):
    data_dir = os.path.join(tmp, "scripts")
    ctl(args, data_dir, "init", "--admin", "admin", "--kdf-cost", "test", "--pin-stdin",
        stdin=ADMIN_PIN + "\n")
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "user", "add", WORKER, "--role",
        "worker", stdin="%s\n%s\n" % (ADMIN_PIN, WORKER_PIN))
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "form", "import", SCRIPTS_FORM,
        stdin=ADMIN_PIN + "\n")
    app = start_app(args, data_dir, narrow_env(args))
    state["app"] = app
    app.press(WORKER)
    enter_pin(app, WORKER_PIN)
    for code, language, words in (("km", "ភាសាខ្មែរ", "តើអ្នកកំពុងធ្វើការ"),
                                  ("my", "မြန်မာဘာသာ", "သင်ယခု")):
        app.press("New interview", timeout=60)
        # A new store also holds the bundled screening form (intakectl init): choose this one.
        # The tiles name no title (a bystander reads "Form 1 · version 1"): the scripts form is
        # the one whose version the bundled form does not have.
        tile = app.wait(role=("push button", "button", "toggle button"),
                        contains="version %d" % json.load(open(SCRIPTS_FORM))["version"],
                        what="the scripts form's tile")
        app.press(tile.name)
        app.press(language)
        label = app.wait(role=("label",), contains=words, what="the %s question" % code)
        time.sleep(0.5)
        import pyatspi
        e = label.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        screenshot_window(args, app, "adaptive-question-%s" % code)
        check_fits(app, check, "a %s question" % code)
        line = 40
        check(e.height > 1.5 * line,
              "the %s label wraps onto several lines (%dx%d px)" % (code, e.width, e.height))
        if code == "km":
            # On to a date: the calendar fits too.
            app.press("បាទ/ចាស")
            app.wait(role=("label",), name="Saved", timeout=20)
            app.press("Next")
            app.wait(role=("label",), contains="និយោជក", what="the Khmer text question")
            app.press("Next")
            app.wait(role=("label",), contains="មកដល់", what="the Khmer date question")
            time.sleep(0.5)
            screenshot_window(args, app, "adaptive-date-km")
            check_fits(app, check, "a date question with its calendar")
        app.press("Pause")
    app.stop()
    state["app"] = None


def part_review(args, check, data_dir, state):
    """The supervisor's review at 360 px: the queue and one interview, in both languages."""
    demo = os.path.join(os.path.dirname(os.path.abspath(args.form)), "..", "..", "packaging",
                        "demo-interview.json")
    ctl(args, data_dir, "--user", WORKER, "--pin-stdin", "interview", "import",
        os.path.normpath(demo), stdin=WORKER_PIN + "\n")
    app = start_app(args, data_dir, narrow_env(args))
    state["app"] = app
    app.press(SUPERVISOR)
    enter_pin(app, SUPERVISOR_PIN)
    app.press("Review", timeout=60)
    app.wait(("push button", "button"), contains="Open ", what="the review queue")
    screenshot_window(args, app, "adaptive-review-queue-360")
    check_fits(app, check, "the review queue")
    opens = [n for n in app.find_all(("push button", "button")) if (n.name or "").startswith(
        "Open ")]
    app.press(opens[0].name)
    app.wait(role=("label",), contains="Screening result", what="the result under review")
    screenshot_window(args, app, "adaptive-review-360")
    check_fits(app, check, "one interview under review")
    # A note typed, not yet sent with a decision: it comes through the switch.
    entry = app.wait(name="Note or reason", what="the note entry")
    entry.queryEditableText().setTextContents(NOTE)
    switch_language(app, "Language of the screens", "Bahasa Indonesia")
    app.wait(role=("label",), contains="Hasil skrining", timeout=20, what="review in Indonesian")
    entry = app.wait(name="Catatan atau alasan", what="the note entry in Indonesian")
    t = entry.queryText()
    check(t.getText(0, t.characterCount) == NOTE,
          "the review is rebuilt at the same interview with the note typed for it")
    screenshot_window(args, app, "adaptive-review-360-id")
    check_fits(app, check, "the review in Indonesian")
    check_nothing_cut(check, "the review queue and one interview under review")
    switch_language(app, "Bahasa layar", "English")
    app.wait(role=("label",), contains="Screening result", timeout=20)
    app.stop()
    state["app"] = None


def scenario(args, check, tmp, state):
    CUT_REPORT["path"] = os.path.join(tmp, "cut-report.txt")
    data_dir = part_language_and_narrow(args, check, tmp, state)
    part_styles(args, check, data_dir, state)
    part_review(args, check, data_dir, state)
    part_scripts(args, check, tmp, state)


if __name__ == "__main__":
    sys.exit(run(scenario))
