#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real `intake` window under Xvfb, driven through the accessibility tree (AT-SPI): the
worker's and supervisor's main path.

Unlock with the PIN pad, a new interview, a few answers (checked with intakectl), pause and
resume, the summary, complete, the return-and-fix review loop, lock (and no answer left in the
widget tree), a wrong PIN, the idle auto-lock and the lock before a suspend. Screenshots of the
main screens go to --screenshots. The shared machinery is in uikit.py.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uikit import *  # noqa: E402,F401,F403

SENTINEL_2 = "Sentinel5519"
DECIMAL_FORM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "decimal-form.json")


def scenario(args, check, tmp, state):
    data_dir = os.path.join(tmp, "tablet")
    make_tablet(args, data_dir)
    app = App(args, data_dir)
    state["app"] = app

    # Unlock: the user tiles, then the PIN pad.
    app.wait(name=WORKER, what="the worker's tile")
    screenshot(args, "unlock")
    app.press(WORKER)
    enter_pin(app, WORKER_PIN)
    app.wait(name="New interview", timeout=60)
    check(True, "unlocked with the PIN pad; home shows New interview")
    # The sync engine runs in the window; this tablet is not enrolled, and home says so.
    app.wait(("push button", "button"), name="Sync now")
    sync_label = app.wait(role=("label",), contains="not enrolled", timeout=30,
                          what="the sync state")
    check(True, "home shows the sync state (not enrolled) and Sync now")
    shown = "\n".join(n.name or "" for n in app.find_all(role=("label",)))
    check("intakectl" not in shown and "Sending has stopped" not in shown,
          "home shows a worker no command line and does not contradict itself")
    ratio = label_contrast(args, app, sync_label, "contrast-home-light")
    check(ratio >= 4.5, "the sync state (secondary text) has a contrast of %.2f:1 (at least "
                        "4.5:1) in the light style" % ratio)
    screenshot(args, "home-empty")

    # A new interview: the only form is chosen by itself; then the language.
    app.press("New interview")
    app.press("English")
    app.wait(role=("label",), contains="private", what="the first question")
    check(len(interviews(args, data_dir)) == 1, "a new interview exists in the store")
    # The privacy check is the interviewer's, not read aloud: tagged, and its words and tag
    # readable in sunlight.
    tag = app.wait(role=("label",), name="Interviewer", timeout=10,
                   what="the interviewer tag on the privacy check")
    ratio = label_contrast(args, app, tag, "contrast-interviewer-tag")
    check(ratio >= 4.5, "the \"Interviewer\" tag has a contrast of %.2f:1 (at least 4.5:1)" % ratio)
    words = app.wait(role=("label",), contains="somewhere private")
    ratio = label_contrast(args, app, words, "contrast-interviewer-check")
    check(ratio >= 4.5, "the interviewer's check has a contrast of %.2f:1 (at least 4.5:1)" % ratio)
    check(app.find_all(("push button", "button"), name="Back to the questions") == [],
          "no header back button on a question (Back sits beside Next)")
    answer_opening(app)
    # The pseudonym: generated, shown in a text view; replace it with the sentinel.
    view = app.wait(role=("text",), what="the pseudonym text view")
    view.queryEditableText().setTextContents(SENTINEL)
    app.wait_gone(role=("label",), name="Saved", timeout=5)
    app.wait(role=("label",), name="Saved", timeout=20)
    app.press("Next")
    answer_choice(app, "Are you in danger now", "No")
    answer_choice(app, "injury or illness", "No")
    on_question(app, "How old are you")
    app.press("Digit 3")
    app.press("Digit 4")
    app.wait(role=("label",), name="Saved", timeout=20)
    screenshot(args, "question")
    ok, where, window = decline_in_view(app)
    check(ok, "on the age and its keypad, \"Prefer not to say\" is in view without scrolling "
              "(%s in %s)" % (where, window))

    rows = interviews(args, data_dir)
    doc, answers = interview_answers(args, data_dir, rows[0]["id"])
    expected = {"private_setting": "yes", "location_type": "shelter",
                "interview_language": "en", "interpreter": "none",
                "consent": "screening_only", "pseudonym": SENTINEL,
                "danger_now": "no", "needs_care": "no", "age": 34}
    wrong = {k: (v, answers.get(k)) for k, v in expected.items() if answers.get(k) != v}
    check(not wrong, "every answer given on screen is saved in the store %s" % (wrong or ""))

    # Pause, then resume from home exactly where the interview was left (the age), and on.
    app.press("Pause")
    app.press("Continue " + SENTINEL)
    on_question(app, "How old are you")
    app.press("Next")
    # The section's opening words offer a break before the questions about the job.
    on_question(app, "Would you like a break")
    app.press("Next")
    on_question(app, "What work were you doing")
    check(True, "resumed at the page where it was paused")

    # "Prefer not to say" to the end: each is an answer, and the summary follows.
    to_summary(app)
    app.wait(("push button", "button"), name="Complete", timeout=20)
    # Back from the summary is the header's back button, on the row of Lock.
    import pyatspi
    back = app.wait(("push button", "button"), name="Back to the questions", timeout=10,
                    what="the header's back button on the summary")
    lock = app.wait(("push button", "button"), name="Lock")
    be = back.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    le = lock.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    check(abs((be.y + be.height / 2) - (le.y + le.height / 2)) <= 8 and be.x < le.x,
          "the summary's back button is in the header, before Lock (%s, Lock %s)"
          % ((be.x, be.y), (le.x, le.y)))
    app.press("Back to the questions")
    app.wait_gone(("push button", "button"), name="Complete", timeout=20)
    app.wait(("push button", "button"), name="Next")
    check(app.find_all(("push button", "button"), name="Back to the questions") == [],
          "the header's back button leads to the last question, and goes with the summary")
    app.press("Next")
    app.wait(("push button", "button"), name="Complete", timeout=20)
    app.wait(role=("label",), contains="Screening result", what="the screening result")
    screenshot(args, "summary")
    # Shoulder-surfing: the level shows only after a tap, in a label that was not there.
    before = {n.name for n in app.find_all(role=("label",))}
    app.press("Show the result")
    app.wait_gone(("push button", "button"), name="Show the result", timeout=10)
    after = {n.name for n in app.find_all(role=("label",))}
    shown = [t for t in after - before if t]
    check(len(shown) == 1, "the level is hidden until a tap, then shown in full: %r" % shown)
    import re
    jargon = [n.name for n in app.find_all(role=("label",))
              if re.search(r"\bD[1-6]\b", n.name or "")]
    check(not jargon, "no Delphi dimension named on the worker's summary %s" % (jargon or ""))
    caps = all_capitals_words(app)
    check(not caps, "no word in capitals on the summary %s" % (caps or ""))
    app.press("Complete")
    app.wait(name="New interview", timeout=30)
    rows = interviews(args, data_dir)
    check(rows[0]["state"] == "awaiting_review",
          "Complete sends it to review (state %s)" % rows[0]["state"])
    screenshot(args, "home")

    # A supervisor returns it with a note: home shows it on top, with the note, to continue.
    ctl(args, data_dir, "--user", SUPERVISOR, "--pin-stdin", "review", "return",
        rows[0]["id"], "--note", NOTE, stdin=SUPERVISOR_PIN + "\n")
    app.press("Lock")
    app.press(WORKER)
    enter_pin(app, WORKER_PIN)
    app.wait(role=("label",), contains=NOTE, timeout=30, what="the supervisor's note on home")
    app.wait(role=("label",), contains="Returned to you")
    check(True, "a returned interview is on home with the supervisor's note")
    screenshot(args, "home-returned")
    app.press("Continue " + SENTINEL)
    app.wait(role=("label",), contains=NOTE, what="the note on top of the interview")
    to_summary(app)
    app.press("Complete")
    app.wait(name="New interview", timeout=30)
    rows = interviews(args, data_dir)
    check(rows[0]["state"] == "awaiting_review", "the returned interview is completed again")

    # The supervisor reviews it on the tablet: the queue, the interview read-only, Approve.
    app.press("Lock")
    app.press(SUPERVISOR)
    enter_pin(app, SUPERVISOR_PIN)
    app.press("Review", timeout=60)
    app.press("Open " + SENTINEL)
    app.wait(role=("label",), contains="Screening result", what="the result under review")
    # Under the answers, what the form computes from them, as `intakectl interview show` lists
    # it: the screening form's one calculation, relevant for a completed interview.
    app.wait(role=("label",), name="Computed", what="the computed values under review")
    check(len(app.find_all(("label",), name="can_continue")) == 1
          and len(app.find_all(("label",), name="yes")) >= 1,
          "the review lists the computed value can_continue = yes")
    screenshot(args, "review")
    app.press("Approve")
    app.wait(role=("label",), name="Nothing waits for review.", timeout=30)
    rows = interviews(args, data_dir)
    check(rows[0]["state"] == "queued",
          "the supervisor approves it on the tablet (state %s)" % rows[0]["state"])
    app.press("Back to home")

    # Lock: back to the tiles, nothing of the interview left in the tree.
    app.press("New interview")
    app.press("English")
    app.wait(role=("label",), contains="private")
    app.press("Lock")
    app.wait(name=WORKER, what="the tiles after Lock")
    check(SENTINEL not in app.all_text(), "after Lock no answer is left in the widget tree")

    # A wrong PIN says how many attempts are left.
    app.press(WORKER)
    enter_pin(app, "999999")
    msg = app.wait(role=("label",), contains="attempts left", timeout=30)
    check("4 attempts left" in msg.name, "a wrong PIN shows the attempts left: %s" % msg.name)
    screenshot(args, "wrong-pin")
    app.stop()

    # Idle auto-lock in the middle of an interview whose answer is on screen: a draft made with
    # intakectl whose pseudonym (an answer) is a second sentinel, shown on home and in the page.
    form = json.load(open(args.form))
    draft_file = os.path.join(tmp, "draft.json")
    with open(draft_file, "w") as f:
        json.dump({"form_id": form["id"], "form_version": form["version"],
                   "answers": {"pseudonym": SENTINEL_2}, "state": "draft"}, f)
    ctl(args, data_dir, "--user", WORKER, "--pin-stdin", "interview", "import", draft_file,
        stdin=WORKER_PIN + "\n")
    # Shortened for the test; AT-SPI actions are not input events, so nothing resets the idle
    # clock.
    app = App(args, data_dir, {"INTAKE_AUTO_LOCK_SECONDS": "6"})
    state["app"] = app
    app.press(WORKER)
    # This time with the passphrase entry (the PIN is a passphrase of digits).
    app.press("Use a passphrase instead")
    entry = app.wait(role=("password text", "text"), name="Passphrase")
    entry.queryEditableText().setTextContents(WORKER_PIN)
    app.press("Unlock")
    app.wait(name="New interview", timeout=60)
    check(True, "unlocked with the passphrase entry")
    app.press("Continue " + SENTINEL_2)
    app.wait(role=("label",), contains="private")
    app.wait(name=WORKER, timeout=30, what="the tiles after the idle auto-lock")
    check(app.find_all(name="New interview") == [], "idle auto-lock returns to the tiles")
    check(SENTINEL_2 not in app.all_text(),
          "after the idle auto-lock mid-interview no answer is left in the widget tree")
    app.stop()

    # Suspend: logind's PrepareForSleep(true) locks. Our session bus stands in for the
    # system bus, and this script for logind.
    bus_address = os.environ["DBUS_SESSION_BUS_ADDRESS"]
    app = App(args, data_dir, {"DBUS_SYSTEM_BUS_ADDRESS": bus_address})
    state["app"] = app
    app.press(WORKER)
    enter_pin(app, WORKER_PIN)
    app.wait(name="New interview", timeout=60)
    emit_prepare_for_sleep()
    app.wait(name=WORKER, timeout=30, what="the tiles after PrepareForSleep")
    check(app.find_all(name="New interview") == [], "the window locks before a suspend")
    app.stop()

    # A second form: the form choice shows, its tiles numbered and its titles hidden until a
    # tap (a bystander should not read "screening"); then a decimal typed with the Indonesian
    # decimal comma is saved as a number.
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "form", "import", DECIMAL_FORM,
        stdin=ADMIN_PIN + "\n")
    app = App(args, data_dir)
    state["app"] = app
    app.press(WORKER)
    enter_pin(app, WORKER_PIN)
    app.press("New interview", timeout=60)
    app.wait(role=("label",), name="Which form?")
    tiles = [n.name for n in app.find_all(("push button", "button"), contains="Form ")]
    titles = [json.load(open(args.form))["title"]["en"], "Debt (UI test)"]
    check(len(tiles) == 2 and not any(t in " ".join(tiles) for t in titles),
          "the form tiles are numbered, without their titles: %r" % tiles)
    app.press("Show the titles")
    app.wait(("push button", "button"), contains="Debt (UI test)", timeout=10)
    check(True, "a tap shows the forms' titles")
    app.press(app.wait(("push button", "button"), contains="Debt (UI test)").name)
    app.press("Bahasa Indonesia")
    on_question(app, "Berapa bulan gaji")
    app.press("Digit 1")
    app.press("Decimal comma")
    app.press("Digit 5")
    app.wait(role=("label",), name="Saved", timeout=20)
    # (The pad's key is "Decimal comma" in Indonesian; GTK 4.8 gives AT-SPI no text of an
    # entry to read back, so what the entry shows is checked by the question view's widget
    # test.)
    rows = [r for r in interviews(args, data_dir) if r.get("form_id") == "ui-decimal"]
    doc, answers = interview_answers(args, data_dir, rows[0]["id"])
    check(answers.get("debt_months") == 1.5,
          "\"1,5\" typed in Indonesian with the decimal comma key is saved as 1.5 (%r)"
          % (answers.get("debt_months"),))
    app.stop()
    state["app"] = None


if __name__ == "__main__":
    sys.exit(run(scenario))
