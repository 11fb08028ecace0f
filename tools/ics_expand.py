#!/usr/bin/env python3
"""Expands an iCalendar file with an implementation independent of Linli (Python `icalendar` +
`recurring_ical_events`) and prints the occurrences in [FROM, TO) as JSON:
[[uid, "YYYY-MM-DDTHH:MM" in Asia/Shanghai, "CONFIRMED"|"CANCELLED", summary], ...].
All-day events start at midnight of their date; floating times are read in the calendar's
X-WR-TIMEZONE, else in Asia/Shanghai.
Usage: ics_expand.py FILE FROM TO   (FROM/TO as YYYY-MM-DDTHH:MM, Asia/Shanghai)"""
import json
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

tz = ZoneInfo("Asia/Shanghai")
path, start, end = sys.argv[1:4]
with open(path, "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())
floating = ZoneInfo(str(cal["X-WR-TIMEZONE"])) if "X-WR-TIMEZONE" in cal else tz
lo = datetime.strptime(start, "%Y-%m-%dT%H:%M").replace(tzinfo=tz)
hi = datetime.strptime(end, "%Y-%m-%dT%H:%M").replace(tzinfo=tz)
out = []
for ev in recurring_ical_events.of(cal).between(lo, hi):
    dt = ev["DTSTART"].dt
    if not isinstance(dt, datetime):
        dt = datetime(dt.year, dt.month, dt.day, tzinfo=tz)
    elif dt.tzinfo is None:
        dt = dt.replace(tzinfo=floating)
    dt = dt.astimezone(tz)
    out.append([str(ev["UID"]), dt.strftime("%Y-%m-%dT%H:%M"), str(ev.get("STATUS", "CONFIRMED")), str(ev["SUMMARY"])])
out.sort()
print(json.dumps(out, ensure_ascii=False))
