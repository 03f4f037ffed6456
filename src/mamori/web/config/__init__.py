"""Django settings, URLs and the WSGI application."""
