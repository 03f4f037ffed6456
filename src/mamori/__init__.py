"""Mamori (守り): cyber insurance for small and medium-sized businesses.

The core (everything here outside ``mamori.web``) is plain Python: it never imports Django.
"""

__version__ = "0.1.0"
