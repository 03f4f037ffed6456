"""The web application's guard rails (issue 14, interfaces.md §2): bounded requests, the one error shape of
every answer under /api/v1, the client address behind trusted proxies, throttles of public endpoints,
headers (CSP, Permissions-Policy, Cache-Control), session lifetimes by role, the staff second factor and
structured request logs. Generic: they hold for routes added later."""
