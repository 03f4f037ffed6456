"""Server-rendered pages (htmx where a page updates live): public quote, application, underwriting,
policies, billing, audit."""
