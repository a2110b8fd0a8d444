"""What every area of the site shares, and only that: answering a normal
request with a page and an htmx request with its fragment, the shape of a
form page, access checks (``permission_required``, ``load_demande``), the
error pages and security headers, the template globals, the shared fields,
forms and validators, the organisation look-up block, the fils de
discussion (both sides use them), downloads and rate limits. No area
imports another; they all import from here."""
