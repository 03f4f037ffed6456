from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "mamori.web.pages"
    label = "pages"
    verbose_name = "Pages"
