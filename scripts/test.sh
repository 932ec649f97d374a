#!/usr/bin/env bash
# The project's test command: README's second command, and what .ci/run runs.
# Installs what the tests need, including Debian's Chromium and a CJK font for the browser
# test, catdoc + LibreOffice for .doc/.wps, and PostgreSQL for the store contract suite, when
# this is a root shell with apt (without them those tests are skipped), then
# lints (ruff), type-checks (mypy, on the packages [tool.mypy] names in pyproject.toml) and
# runs pytest on two workers (pytest-xdist; tests/conftest.py keeps the tests of one built
# fixture on one worker). pytest's "no tests collected" (exit 5) counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null) \
    || echo "could not install chromium: the browser test will be skipped" >&2
fi
# .doc/.wps are read by catdoc; LibreOffice (writer, no GUI) makes the .doc test inputs and is
# the reader's fallback. Without them those tests are skipped and such files skipped with a reason.
if ! command -v catdoc >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      catdoc libreoffice-writer-nogui >/dev/null) \
      || echo "could not install catdoc/LibreOffice: the .doc tests will be skipped" >&2
  fi
fi
# PostgreSQL's server binaries for the store contract suite (tests/test_store_backends.py starts
# a throw-away server on 127.0.0.1); without them that suite is skipped with the reason.
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && ! command -v postgres >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql >/dev/null) \
      || echo "could not install postgresql: the PostgreSQL store tests will be skipped" >&2
  fi
fi
python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/ruff check . \
  && .venv/bin/mypy && .venv/bin/python -m pytest -n 2 --dist loadgroup
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: treating that as a failure" >&2
  exit 1
fi
exit "$rc"
