"""« Aller-vers »: go where people are, meet them first anonymously, then by name, then
accompany them with a single referent through stages until they reach work or the
common-law services (REAJI, Activ'Action). Built on ``core.plugin_api`` only.
"""

NAME = "allervers"
TITLE = "Aller-vers"
DESCRIPTION = ("Aller à la rencontre des personnes là où elles sont (rue, marché, événement, "
               "locaux d'un partenaire) : comptage anonyme, contacts identifiés avec leur "
               "consentement, puis parcours avec un référent unique jusqu'à l'emploi.")
