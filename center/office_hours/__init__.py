"""Office hours: the Monday sessions, their agenda (built, edited, minuted, exported to iCalendar)
and consultations on work orders."""
