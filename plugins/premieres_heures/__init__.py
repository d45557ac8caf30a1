"""« Premières Heures »: first hours of paid work, by stages, for people very far from it.

A pathway per person supported, an hours plan that grows at reviews (bilans), the weekly
schedule at the host structure with attendance, waivers for contracts under 20 h a week,
social support alongside, and the exit. Built on ``core.plugin_api`` only.
"""

NAME = "premieres_heures"
TITLE = "Premières Heures"
DESCRIPTION = ("Accompagner des personnes très éloignées de l'emploi vers leurs premières heures "
               "de travail : un parcours par personne, des heures qui augmentent à chaque bilan, "
               "le planning et les présences chez la structure d'accueil, les dérogations "
               "sous 20 h par semaine.")
