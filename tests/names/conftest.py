"""The names tests need no database or Django settings, but the project-wide autouse
fixture asks for pytest-django's ``settings``; it is available, so nothing to do here."""
