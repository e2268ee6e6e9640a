from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kuager.web"
    label = "web"
    verbose_name = "Web"
