"""The shared agenda: bookable things and the booking engine (events and pages come next)."""
