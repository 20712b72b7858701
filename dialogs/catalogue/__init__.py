"""The catalogue as people see it: the course list, a course's details, search."""

from classroom.catalogue.privacy import CatalogueData
from dialogs.catalogue.commands import router
from dialogs.catalogue.find_dialog import FindCoursesDialog
from dialogs.catalogue.suggestions import suggest_courses
from dialogs.feature import Feature

feature = Feature(
    name="catalogue",
    commands=router,
    dialogs=lambda services: [FindCoursesDialog(services)],
    fallbacks=[suggest_courses],
    personal_data=[CatalogueData()],
)
