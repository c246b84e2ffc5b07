#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A repeat inside a repeat in the real window, by touch (AT-SPI): a boat added to the list of
boats, its name typed, then on its page of the people on that boat (the inner repeat, listed
inside the boat's entry) one person added and answered; the store holds the person inside the
boat's entry; a second person left unanswered is named on the inner list, and changed; Next goes back from the inner list to the boat's list, which names the entry's
buttons for screen readers; completed, the supervisor's review lists the value computed inside
the boat's entry. The shared machinery is in uikit.py.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uikit import *  # noqa: E402,F401,F403

FORM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nested-form.json")
BOAT = "Sri Rejeki"


def scenario(args, check, tmp, state):
    data_dir = os.path.join(tmp, "tablet")
    make_tablet(args, data_dir)
    ctl(args, data_dir, "--user", "admin", "--pin-stdin", "form", "import", FORM,
        stdin=ADMIN_PIN + "\n")
    app = App(args, data_dir)
    state["app"] = app
    app.press(WORKER, timeout=60)
    enter_pin(app, WORKER_PIN)
    app.wait(name="New interview", timeout=60)
    app.press("New interview")
    version = "version %d" % json.load(open(FORM))["version"]
    assert json.load(open(args.form))["version"] != json.load(open(FORM))["version"]
    app.press(app.wait(("push button", "button"), contains=version).name)
    app.press("English")

    # The outer repeat: Add opens the boat's first question.
    on_question(app, "Boats you worked on")
    app.press("Add an entry")
    on_question(app, "Name of the boat")
    entry = app.wait(role=("text",), what="the boat's name entry")
    entry.queryEditableText().setTextContents(BOAT)
    app.wait(role=("label",), name="Saved", timeout=20)
    app.press("Next")

    # The inner repeat is a step of the boat's entry: its own list, empty, with Add.
    on_question(app, "People on this boat")
    app.wait(role=("label",), contains="Boats you worked on — entry 1",
             what="the entry the inner list belongs to")
    check(True, "the inner repeat shows as a step of the boat's entry, named by that entry")
    app.press("Add an entry")
    app.wait(role=("label",), contains="Boats you worked on — entry 1 › People on this boat — "
             "entry 1", what="both entries named above the inner entry's question")
    # ${boat_name} in the inner entry's question reads the boat's answer.
    answer_choice(app, "What did this person do on " + BOAT + "?", "Deckhand")
    check(True, "the inner entry's question answered, its words filled in from the boat's entry")

    # After the inner entry's last question: back on the inner list, the person listed.
    on_question(app, "People on this boat")
    app.wait(("push button", "button"), name="Change entry 1", what="the person's Change")
    app.wait(("push button", "button"), name="Remove entry 1", what="the person's Remove")
    screenshot(args, "repeat-nested")
    rows = interviews(args, data_dir)
    doc, answers = interview_answers(args, data_dir, rows[0]["id"])
    boats = answers.get("boats")
    check(boats == [{"boat_name": BOAT, "crew": [{"crew_role": "deckhand"}]}],
          "the inner entry is saved inside the boat's entry: %r" % (boats,))

    # A second person left unanswered (Back from its first question): Next on the inner list
    # stays and names the entry and the question; Change opens that entry.
    app.press("Add an entry")
    on_question(app, "What did this person do on " + BOAT)
    app.press("Back")
    on_question(app, "People on this boat")
    app.press("Next")
    app.wait(role=("label",), contains="Entry 2, What did this person do on",
             what="the inner entry's problem on the inner list")
    check(True, "Next on the inner list with an unanswered entry stays and says which")
    app.press("Change entry 2")
    answer_choice(app, "What did this person do on " + BOAT, "Captain")
    on_question(app, "People on this boat")
    app.wait(("push button", "button"), name="Remove entry 2", what="the second person")
    doc, answers = interview_answers(args, data_dir, rows[0]["id"])
    crew = (answers.get("boats") or [{}])[0].get("crew")
    check(crew == [{"crew_role": "deckhand"}, {"crew_role": "captain"}],
          "the inner entry changed through Change: %r" % (crew,))

    # Next from the inner list ends the boat's entry: back on the list of boats.
    app.press("Next")
    on_question(app, "Boats you worked on")
    app.wait(("push button", "button"), name="Change entry 1", what="the boat's Change")
    # The inner entry's page leaves as the list comes: wait for its "— entry 1" heading to go
    # (a heading still there after the wait fails the check with the message below).
    try:
        app.wait_gone(role=("label",), contains="— entry 1", timeout=10)
    except Failure:
        pass
    check(not app.find_all(role=("label",), contains="— entry 1"),
          "Next from the inner list goes back to the list of boats")

    # Completed, then under review: what the boat's entry computes (count(${crew}) inside it)
    # is listed, named by its entry.
    app.press("Next")
    on_question(app, "Thank you")
    app.press("Next")
    app.press("Complete", timeout=30)
    app.wait(name="New interview", timeout=30)
    rows = interviews(args, data_dir)
    check(rows[0]["state"] == "awaiting_review", "completed (state %s)" % rows[0]["state"])
    app.press("Lock")
    app.press(SUPERVISOR)
    enter_pin(app, SUPERVISOR_PIN)
    app.press("Review", timeout=60)
    app.press("Open " + rows[0]["pseudonym"])
    app.wait(role=("label",), name="Computed", what="the computed values under review")
    app.wait(role=("label",), name="Boats you worked on — entry 1 › crew_count",
             what="the value computed inside the boat's entry")
    check(len(app.find_all(("label",), name="2")) >= 1,
          "the review lists the value computed inside the entry (crew_count = 2)")
    screenshot(args, "review-nested")
    app.stop()
    state["app"] = None


if __name__ == "__main__":
    sys.exit(run(scenario))
