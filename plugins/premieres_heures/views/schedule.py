"""Weekly schedule, work sessions and attendance (to be written)."""
