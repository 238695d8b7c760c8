#!/bin/sh
# The scheduled run (docs/scheduling.md): refresh, then lint and dist --strict --quiet;
# a step that failed for now (exit 75: a publisher out of reach, another run holding
# the output) is tried again, three times, ten minutes apart (RETRY_SECONDS).
set -u
py=${PIPELINE_PYTHON:-.venv/bin/python}
for step in "refresh --quiet" "lint --strict --quiet" "dist --strict --quiet"; do
  for try in 1 2 3; do
    # shellcheck disable=SC2086 -- a step is a command and its options
    $py -m pipeline $step ${PIPELINE_OPTIONS:-}; code=$?
    [ "$code" -ne 75 ] && break
    [ "$try" -lt 3 ] && sleep "${RETRY_SECONDS:-600}"
  done
  [ "$code" -eq 0 ] || exit "$code"
done
