#!/usr/bin/env python3
"""Reads a calendar feed with two independent parsers, Python `icalendar` and `vobject`, and
checks that the calendar's name and every event's text, times, status and sequence come back
exactly as expected; the `icalendar` reading is also written out and read again.

    read_feed.py EXPECTED.json FEED.ics [VDIR]

EXPECTED.json: {"name": ..., "events": [{"uid", "summary", "location", "description",
"status", "sequence", "start", "end"}]}, times as YYYYMMDDTHHMMSSZ. With VDIR, a folder of
items a calendar client (vdirsyncer) stored after subscribing, those items are checked too
(all but their UIDs, which vdirsyncer replaces).
Prints "OK" and exits 0, or names the first difference and exits 1.
"""
import datetime
import json
import os
import sys

import icalendar
import vobject


def escaped(text):
    """RFC 5545 TEXT escaping."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def utc(value):
    return value.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def compare(where, expected, got):
    for e in expected:
        g = got.get(e["uid"])
        if g is None:
            sys.exit(f"{where}: no event {e['uid']} (have {sorted(got)})")
        for key, value in e.items():
            if g[key] != value:
                sys.exit(f"{where}: {e['uid']} {key}: expected {value!r}, got {g[key]!r}")
    if len(got) != len(expected):
        sys.exit(f"{where}: {len(got)} events, expected {len(expected)}")


def by_icalendar(calendar):
    return {
        str(e["UID"]): {
            "uid": str(e["UID"]),
            "summary": str(e["SUMMARY"]),
            "location": str(e["LOCATION"]),
            "description": str(e["DESCRIPTION"]),
            "status": str(e["STATUS"]),
            "sequence": int(e["SEQUENCE"]),
            "start": utc(e.decoded("DTSTART")),
            "end": utc(e.decoded("DTEND")),
        }
        for e in calendar.walk("VEVENT")
    }


def by_vobject(calendar):
    return {
        e.uid.value: {
            "uid": e.uid.value,
            "summary": e.summary.value,
            "location": e.location.value,
            "description": e.description.value,
            "status": e.status.value,
            "sequence": int(e.sequence.value),
            "start": utc(e.dtstart.value),
            "end": utc(e.dtend.value),
        }
        for e in calendar.contents.get("vevent", [])
    }


def main():
    expected = json.load(open(sys.argv[1], encoding="utf-8"))
    raw = open(sys.argv[2], "rb").read()
    text = raw.decode("utf-8")

    calendar = icalendar.Calendar.from_ical(text)
    if str(calendar["NAME"]) != expected["name"]:
        sys.exit(f"icalendar: NAME {calendar['NAME']!r}")
    # icalendar keeps X- properties as sent: still escaped.
    if str(calendar["X-WR-CALNAME"]) != escaped(expected["name"]):
        sys.exit(f"icalendar: X-WR-CALNAME {calendar['X-WR-CALNAME']!r}")
    compare("icalendar", expected["events"], by_icalendar(calendar))
    again = icalendar.Calendar.from_ical(calendar.to_ical())
    compare("icalendar, written and read again", expected["events"], by_icalendar(again))

    v = vobject.readOne(text)
    for key in ("name", "x-wr-calname"):
        if v.contents[key][0].value != expected["name"]:
            sys.exit(f"vobject: {key} {v.contents[key][0].value!r}")
    compare("vobject", expected["events"], by_vobject(v))

    if len(sys.argv) > 3:
        # vdirsyncer's http storage replaces each UID by a hash of the item's content, so the
        # client's copy is matched on start time and compared on everything else.
        stored = {}
        for name in sorted(os.listdir(sys.argv[3])):
            item = icalendar.Calendar.from_ical(open(os.path.join(sys.argv[3], name), "rb").read())
            for event in by_icalendar(item).values():
                event["uid"] = event["start"]
                stored[event["start"]] = event
        compare("the client's copy", [dict(e, uid=e["start"]) for e in expected["events"]], stored)
    print("OK")


if __name__ == "__main__":
    main()
