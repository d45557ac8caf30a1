"""« Sites en transition »: the temporary occupancy of sites lent by their owners.

An owner (a partner of the directory, or a name and a contact) lends a site for a period; the
site is divided into lots (area, kind of space, monthly fee per m² and charges); a lot is
allocated to an occupant for a period inside the site's availability, two allocations of one
lot never overlapping. The site's page gives its occupancy by area today and its monthly
income; a timeline shows allocations and gaps, lot by lot and month by month. Built on
``core.plugin_api`` only.

Calls for applications, their review, occupancy agreements, commitments and shared rooms are
later steps (see README.md).
"""

NAME = "sites"
TITLE = "Sites en transition"
DESCRIPTION = ("Gérer l'occupation temporaire de sites en transition : les propriétaires, les "
               "sites et leurs lots, les attributions sans chevauchement, le taux d'occupation, "
               "les recettes par mois et le calendrier des occupations.")
