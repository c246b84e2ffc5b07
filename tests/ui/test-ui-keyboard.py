#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A whole interview by keyboard alone, with real key events into the X server (xdotool): the
user tile and the PIN, home, the form and the language, choices (Enter chooses and goes on),
a number with its inline validation message, the calendar, a sensitive answer masked until
shown, a repeat with two entries added (each numbered by a dynamic default) and one removed
(asked first), a note, the summary and Complete (Ctrl+Enter). Each page's default focus is
checked through the accessibility tree, the answers with intakectl. Then, by touch (AT-SPI), the respondent's language switched in the
middle of an interview and kept by Pause and Continue at exactly the same page.

Screenshots: the date picker, a validation message, a masked sensitive answer, the repeat's
list of entries, the removal question, the summary. The shared machinery is in uikit.py.
"""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uikit import *  # noqa: E402,F401,F403

FORM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "repeat-form.json")
EMPLOYER = "Kapal Jaya"
CONTROLS = ("push button", "button", "toggle button", "text", "entry", "password text",
            "spin button", "calendar", "check box", "radio button", "combo box", "slider")


def unnamed_controls(app):
    """The controls on screen without an accessible name (role and parent's name)."""
    found = []
    for n in app.find_all(role=CONTROLS):
        try:
            if not (n.name or "").strip():
                found.append("%s in %r" % (n.getRoleName(), n.parent.name if n.parent else ""))
        except Exception:
            continue
    return found
COMPANION = "Budi"


def number_shown(app):
    """The text in the "Person number" entry, once its page is up with the focus in it."""
    on_question(app, "Person number")
    wait_focus(app, "Person number")
    t = focused(app).queryText()
    return t.getText(0, t.characterCount)


def scenario(args, check, tmp, state):
    data_dir = os.path.join(tmp, "tablet")
    make_tablet(args, data_dir)
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "form", "import", FORM,
        stdin=ADMIN_PIN + "\n")
    app = App(args, data_dir)
    state["app"] = app
    app.wait(name=WORKER, what="the worker's tile")
    focus_window(app)

    # Unlock: to the worker's tile and Enter, then the PIN typed and Enter.
    for _ in range(10):
        n = focused(app)
        if n is not None and n.name == WORKER:
            break
        keys("Tab")
    wait_focus(app, WORKER)
    keys("Return")
    app.wait(name="Digit 1", timeout=20)
    for d in WORKER_PIN:
        keys(d, delay=0.1)
    keys("Return")
    app.wait(name="New interview", timeout=60)
    check(True, "unlocked by keyboard: the tile, the PIN typed, Enter")

    wait_focus(app, "New interview")
    check(True, "home puts the focus on New interview")
    keys("Return")

    # Two forms: the first tile has the focus; Down to the household form. The tiles name no
    # title (a bystander reads "Form 1 · version 2"): the household form is the one whose
    # version the bundled form does not have.
    household = "version %d" % json.load(open(FORM))["version"]
    assert json.load(open(args.form))["version"] != json.load(open(FORM))["version"]
    wait_focus(app, contains="Form ")
    first = focused(app).name
    keys("Down" if household not in first else "space")
    if household not in first:
        wait_focus(app, contains=household)
        keys("Return")
    wait_focus(app, "English")
    check(True, "the form and the language are chosen from the keyboard (focus on the first)")
    keys("Return")

    # A choice: the focus is on the first; Enter chooses it and goes on.
    on_question(app, "without being overheard")
    wait_focus(app, "Yes")
    keys("Return")

    # A number: the focus is in the entry; a value out of range shows the form's message.
    on_question(app, "How many people travelled")
    wait_focus(app, "How many people travelled with you?")
    unnamed = unnamed_controls(app)
    keys("0", "Return")
    app.wait(role=("label",), name="From 1 to 50.", what="the inline validation message")
    check(True, "Enter on a number out of range stays and says why (From 1 to 50.)")
    screenshot(args, "validation")
    keys("BackSpace", "3", "Return")

    # The calendar: the focus is on it; Left moves a day back, Space chooses, Enter goes on.
    on_question(app, "When did you arrive")
    wait_focus(app, contains="When did you arrive")
    screenshot(args, "date-picker")
    unnamed += unnamed_controls(app)
    keys("Left", "space")
    app.wait(role=("label",), name="Saved", timeout=20)
    keys("Return")

    # A sensitive answer: masked; the focus on the button that shows it.
    on_question(app, "Name of the employer")
    wait_focus(app, "Show the sensitive answer")
    screenshot(args, "sensitive-masked")
    check(not app.find_all(role=("text",)), "a sensitive answer is masked until shown")
    keys("Return")
    wait_focus(app, "Name of the employer")
    type_text(EMPLOYER)
    keys("ctrl+Return")

    # The repeat: Add, then the entry's questions, then back to the list.
    on_question(app, "People with you now")
    wait_focus(app, "Add an entry")
    keys("Return")
    on_question(app, "Who is this person to you")
    wait_focus(app, "My child")
    keys("Return")
    on_question(app, "How old is this person")
    keys("7", "Return")
    # A child: no first name asked; the person's number, a dynamic default (the entry's
    # position when it was added), is already there; then back on the list.
    check(number_shown(app) == "1", "the new entry's number is filled in by its default (1)")
    keys("Return")
    wait_focus(app, "Add an entry")
    keys("Return")
    on_question(app, "Who is this person to you")
    wait_focus(app, "My child")
    keys("Down")
    wait_focus(app, "My partner")
    keys("Return")
    on_question(app, "How old is this person")
    keys("3", "1", "Return")
    on_question(app, "First name")
    wait_focus(app, "Show the sensitive answer")
    keys("Return")
    type_text(COMPANION)
    keys("ctrl+Return")
    check(number_shown(app) == "2", "the second entry's number is filled in by its default (2)")
    keys("Return")
    wait_focus(app, "Add an entry")
    app.wait(name="Remove entry 2")
    screenshot(args, "repeat")
    unnamed += unnamed_controls(app)
    rows = interviews(args, data_dir)
    doc, answers = interview_answers(args, data_dir, rows[0]["id"])
    companions = answers.get("companions")
    check(companions == [{"relation": "child", "companion_age": 7, "companion_number": 1},
                         {"relation": "partner", "companion_age": 31,
                          "companion_name": COMPANION, "companion_number": 2}],
          "two entries added and saved: %r" % (companions,))

    # Remove the first: back from Add through entry 2's buttons to "Remove entry 1".
    for _ in range(6):
        n = focused(app)
        if n is not None and n.name == "Remove entry 1":
            break
        keys("shift+Tab")
    wait_focus(app, "Remove entry 1")
    keys("Return")
    app.wait(contains="Remove entry 1?", what="the question before removing")
    screenshot(args, "repeat-remove")
    for _ in range(4):
        n = focused(app)
        # (AdwMessageDialog's buttons are named "Remove Remove" through AT-SPI in 1.2.)
        if n is not None and n.name.startswith("Remove"):
            break
        keys("Tab")
    wait_focus(app, contains="Remove")
    keys("Return")
    app.wait_gone(name="Remove entry 2")
    doc, answers = interview_answers(args, data_dir, rows[0]["id"])
    companions = answers.get("companions")
    # Its number stays 2: a default is not evaluated again when the entries move.
    check(companions == [{"relation": "partner", "companion_age": 31,
                          "companion_name": COMPANION, "companion_number": 2}],
          "the first entry removed, the other kept: %r" % (companions,))

    # On: Ctrl+Enter is Next on the list; the note; the summary.
    keys("ctrl+Return")
    on_question(app, "Thank you")
    wait_focus(app, "Next")
    keys("Return")
    app.wait(("push button", "button"), name="Complete", timeout=20)
    wait_focus(app, "Back to the questions")
    check(True, "the summary opens with the focus at its top, not on Complete")
    screenshot(args, "summary-keyboard")
    unnamed += unnamed_controls(app)
    check(not unnamed, "every control on the number, date, repeat and summary pages has an "
          "accessible name %s" % (unnamed or ""))

    doc, answers = interview_answers(args, data_dir, rows[0]["id"])
    # The day the arrows reached and Space chose (where GTK's calendar starts its keyboard
    # focus is its own business): a date near today.
    arrived = answers.pop("arrived", "")
    try:
        near = abs((datetime.date.fromisoformat(arrived) - datetime.date.today()).days) <= 42
    except ValueError:
        near = False
    check(near, "the calendar's day chosen by keyboard is saved (%s)" % arrived)
    expected = {"private_now": "yes", "people": 3, "employer_name": EMPLOYER}
    wrong = {k: (v, answers.get(k)) for k, v in expected.items() if answers.get(k) != v}
    check(not wrong, "every answer typed is in the store %s" % (wrong or ""))

    keys("ctrl+Return")
    app.wait(name="New interview", timeout=30)
    rows = interviews(args, data_dir)
    check(rows[0]["state"] == "awaiting_review",
          "Ctrl+Enter on the summary completes it (state %s)" % rows[0]["state"])

    # The respondent's language, switched mid-interview, is kept by Pause and Continue, at
    # the very page where the interview was left (an answered one, not the first unanswered).
    app.press("New interview")
    app.press(app.wait(("push button", "button"), contains=household).name)
    app.press("English")
    answer_choice(app, "without being overheard", "No")
    on_question(app, "How many people travelled")
    app.press("Back")
    on_question(app, "without being overheard")
    app.press("Respondent: English")
    on_question(app, "Bisakah kita bicara")
    app.wait(name="Tidak")
    check(True, "the language switch shows the question in Bahasa Indonesia")
    app.press("Pause")
    rows = interviews(args, data_dir)
    draft = [r for r in rows if r["state"] == "draft"][0]
    app.press("Continue " + draft["pseudonym"])
    on_question(app, "Bisakah kita bicara")
    check(True, "Continue resumes at the same page, in the language chosen")
    app.stop()
    state["app"] = None


if __name__ == "__main__":
    sys.exit(run(scenario))
