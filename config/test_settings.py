"""Settings for the test suite: the real settings with a fixed key and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest needs collectstatic; tests render templates without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Pages are rendered afresh in tests: a test's writes are never committed, so the record's version
# (raised on commit) would not change within it. tests/tracker/test_caching.py turns the cache on.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# WhiteNoise would index every static file (thousands, with the API docs' assets) each time a test
# client starts; looking a file up when it is asked for costs the tests nothing.
WHITENOISE_AUTOREFRESH = True
