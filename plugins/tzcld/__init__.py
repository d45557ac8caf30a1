"""« Territoire zéro chômeur de longue durée »: the experiment run from Maillage.

A territory and its local employment committee (CLE) with its meetings and decisions; the
register of people durably deprived of employment (PPDE), their eligibility and their wait
for a job (exhaustiveness); useful-work activities and their non-competition review; the
EBE's staff in full-time equivalents, month by month, and the contribution the State and the
département owe for them (CDE). Built on ``core.plugin_api`` only.
"""

NAME = "tzcld"
TITLE = "Territoire zéro chômeur"
DESCRIPTION = ("Piloter une expérimentation Territoire zéro chômeur de longue durée : le comité "
               "local pour l'emploi et ses décisions, le registre des personnes privées "
               "durablement d'emploi et leur attente, les activités utiles et leur examen de "
               "non-concurrence, les ETP de l'EBE mois par mois et la contribution au "
               "développement de l'emploi.")
