"""The web application (Django app): pages, public site and API."""
