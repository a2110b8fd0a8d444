"""Configuration: defaults here, then ``instance/config.py``, then ``FLASK_*``
environment variables, then the test configuration (see ``create_app``).

Every key below can be set from the environment as ``FLASK_<KEY>``; values
are parsed as JSON when they can be (``FLASK_MAIL_PORT=2525`` is an int,
``FLASK_MAIL_USE_TLS=true`` a bool).
"""

from datetime import timedelta


class DefaultConfig:
    """Safe production defaults; development is opted into with PORTAIL_ENV."""

    # "production" or "development". Development enables the local mail viewer
    # and the generated secret key; production requires a real SECRET_KEY.
    PORTAIL_ENV = "production"

    # Public address of the portal, used in links sent by email (never taken
    # from the request's Host header, which a client controls).
    PUBLIC_URL = "http://127.0.0.1:5000"
    PORTAIL_NAME = "Portail des aides"
    REGION_NAME = "La Région"
    ASSISTANCE_EMAIL = "assistance@portail-des-aides.example"
    ASSISTANCE_PHONE = "01 23 45 67 89"

    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # default: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None  # None: secure when PUBLIC_URL is https
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)

    WTF_CSRF_TIME_LIMIT = None  # token valid for the session: drafts must never be lost
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    # Accounts. PASSWORD_HASH_PROFILE names an argon2-cffi profile
    # (argon2.profiles); "CHEAPEST" is for the test suite only.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"
    ACTIVATION_MAX_AGE = 72 * 3600
    PASSWORD_RESET_MAX_AGE = 3600
    EMAIL_CHANGE_MAX_AGE = 24 * 3600
    INVITATION_MAX_AGE = 72 * 3600
    PENDING_ACCOUNT_PURGE_DAYS = 7

    # Rate limiting (Flask-Limiter); use "redis://127.0.0.1:6379" with several servers
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    # Authentication limits (app/domain/throttles.py): they slow an attacker,
    # never lock an owner out. Several tiers separated by « ; »: the more
    # attempts, the longer the wait. Wrong passwords are throttled per (client
    # address, identifiant) — the owner logging in from elsewhere is never
    # stopped — and per address for any identifiant (failed logins only).
    LOGIN_THROTTLE_PER_ADDRESS_AND_IDENTIFIANT = "5 per 5 minutes; 10 per hour; 20 per day"
    LOGIN_RATE_LIMIT_PER_IP = "20 per 10 minutes"
    # « Créer un compte »: accounts created (activation emails) per address and per email.
    REGISTRATION_RATE_LIMIT_PER_IP = "5 per hour; 20 per day"
    REGISTRATION_RATE_LIMIT_PER_EMAIL = "3 per day"
    # Recovery: requests per address (the route), emails per address typed (the operation).
    RECOVERY_RATE_LIMIT_PER_IP = "10 per hour"
    RECOVERY_RATE_LIMIT_PER_EMAIL = "3 per hour"
    # New activation emails for one pending account.
    ACTIVATION_RESEND_RATE_LIMIT_PER_ACCOUNT = "3 per hour; 10 per day"
    # Confirmation links sent to an invited address, per invitation (app/domain/invitations.py).
    INVITATION_CONFIRMATION_RATE_LIMIT = "3 per hour; 10 per day"

    # Mail: with no MAIL_SERVER, mails stay in the outbox (development viewer).
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Portail des aides <ne-pas-repondre@portail-des-aides.example>"
    MAIL_TIMEOUT = 10
    MAIL_SEND_AFTER_COMMIT = True  # send in a background thread right after commit
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_BASE_SECONDS = 60

    # The local mail viewer (/dev/courriels): development only, never in production.
    MAIL_VIEWER_ENABLED = None  # None: on in development; forced off in production

    # Organisation look-up by SIRET / RNA (see app/integrations/organisation_lookup/settings.py).
    # Providers: None → "bac_a_sable" in development, "api_entreprise,recherche_entreprises"
    # in production (where the bac à sable is refused).
    ORGANISATION_LOOKUP_PROVIDERS = None
    ORGANISATION_LOOKUP_CACHE_SECONDS = 24 * 3600
    API_ENTREPRISE_URL = "https://entreprise.api.gouv.fr"
    API_ENTREPRISE_TOKEN = None
    API_ENTREPRISE_RECIPIENT = None  # the council's own SIRET
    API_ENTREPRISE_CONTEXT = "Portail des aides"
    API_ENTREPRISE_OBJECT = "Identification d'une structure demandeuse"  # under 50 characters
    API_ENTREPRISE_TIMEOUT = 5
    # One look-up, every provider together, ends within this many seconds (the
    # page then offers manual entry); after 3 calls in a row without an answer a
    # provider is not called for a minute (app/integrations/organisation_lookup/providers/http.py).
    ORGANISATION_LOOKUP_DEADLINE = 8
    # Look-ups one account may make (app/domain/organisations.py `search`).
    ORGANISATION_LOOKUP_RATE_LIMIT_PER_ACCOUNT = "30 per 10 minutes; 200 per day"
    RECHERCHE_ENTREPRISES_URL = "https://recherche-entreprises.api.gouv.fr"

    # Attachments of demandes (app/domain/files.py): stored outside static/ under
    # random names. None → "<instance>/pieces-jointes". MAX_CONTENT_LENGTH above
    # (12 Mo) leaves room for one file of ATTACHMENT_MAX_BYTES and the step's form.
    ATTACHMENTS_DIR = None
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

    # --- Antivirus of uploads (app/integrations/antivirus.py, app/domain/files.py) ---
    # Every file sent is scanned by ClamAV's daemon (Debian: apt-get install
    # clamav-daemon) before it is stored. "clamd" or "off"; None → "clamd" in
    # production, "off" in development and under TESTING (a test turns it on).
    # Production with "off" refuses to start unless ANTIVIRUS_OFF_IN_PRODUCTION
    # is True: the explicit, logged choice of a deployment whose files are
    # scanned elsewhere (a scanning proxy in front of the portal, say).
    # A clamd that does not answer within ANTIVIRUS_TIMEOUT seconds: the file is
    # stored but held « en cours d'analyse », not served until `flask files
    # rescan` (or the job queue) scans it.
    ANTIVIRUS = None
    ANTIVIRUS_OFF_IN_PRODUCTION = False
    ANTIVIRUS_CLAMD_SOCKET = "/var/run/clamav/clamd.ctl"  # Debian's LocalSocket
    ANTIVIRUS_CLAMD_HOST = None  # set (with the port) to reach clamd over TCP instead
    ANTIVIRUS_CLAMD_PORT = 3310
    ANTIVIRUS_TIMEOUT = 15

    # --- Déclaration d'accessibilité (RGAA) ------------------------------------
    # Set by the council after its audit (app/domain/accessibility.py). The page
    # /accessibilite and every page's footer (« Accessibilité : … ») state
    # ACCESSIBILITY_STATUS: "non_conforme" | "partiellement_conforme" |
    # "totalement_conforme". With no audit the portal is « non conforme »
    # (RGAA obligations); another status needs the audit's date and rate,
    # consistent with it (≥ 50 % partiellement, 100 % totalement), or the
    # portal refuses to start. Dates as "AAAA-MM-JJ"; lists as JSON lists
    # of French sentences (FLASK_ACCESSIBILITY_NON_CONFORMITIES='["…", "…"]').
    ACCESSIBILITY_STATUS = "non_conforme"
    ACCESSIBILITY_DECLARATION_DATE = None  # date the declaration was established
    ACCESSIBILITY_UPDATE_DATE = None  # date of its last update, if any
    ACCESSIBILITY_AUDIT_DATE = None  # date of the conformity audit
    ACCESSIBILITY_AUDITOR = None  # None: audit carried out internally; else the auditor's name
    ACCESSIBILITY_CONFORMITY_RATE = None  # % of applicable RGAA criteria met (0–100)
    ACCESSIBILITY_AVERAGE_RATE = None  # optional: average conformity rate of the pages
    ACCESSIBILITY_AUDIT_REPORT_URL = None  # link to the audit report (grille), if published
    ACCESSIBILITY_SAMPLED_PAGES = None  # None: the default sample (accessibility.DEFAULT_SAMPLE)
    ACCESSIBILITY_NON_CONFORMITIES = []  # what the audit found, with the alternatives
    ACCESSIBILITY_DEROGATIONS = []  # dérogations pour charge disproportionnée, explained
    ACCESSIBILITY_EXEMPT_CONTENTS = None  # None: the users' attached documents (accessibility.DEFAULT_EXEMPT_CONTENTS)
    ACCESSIBILITY_TEST_ENVIRONMENT = []  # the audit's combinations, e.g. "NVDA 2024.4 avec Firefox 128"
    ACCESSIBILITY_TOOLS = []  # the audit's tools, besides the test suite's (axe-core, Nu Html Checker)
    ACCESSIBILITY_SCHEMA_URL = None  # schéma pluriannuel de mise en accessibilité; None: « en cours de rédaction »
    ACCESSIBILITY_ACTION_PLAN_URL = None  # plan d'action de l'année en cours
