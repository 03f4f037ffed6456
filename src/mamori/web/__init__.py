"""The web application: the only package of Mamori that imports Django.

Each app (accounts, productdb, quotes, applications, policies, billing, audit) keeps its writes in
``services.py`` and its reads in ``selectors.py``; views, forms and API schemas only call them, and they
call the core's use cases. ``mamori serve`` runs it (``mamori.web.server``).
"""
