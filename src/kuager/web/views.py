"""Views: thin; reads through kuager.records.selectors."""

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    """The start page (the web issue fills the application)."""
    return HttpResponse("<!doctype html><title>Kuager</title><h1>Kuager</h1>")
