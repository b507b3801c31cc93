#!/usr/bin/env bash
# Re-record the CPython transcripts: bash tests/transcripts/record.sh [NAME...]
# NAME.py is run as is; a generated scenario NAME.json (no NAME.py) through fuzz_run.py.
# python3 is 3.11; a NAME.py whose first line says "(CPython 3.13)" follows 3.13 where the versions
# differ (as the library does), so it runs under $PYTHON313 (default: pyenv's 3.13.0); one that says
# "(CPython 3.12)" needs 3.12's API (eager tasks, get_context) and runs under $PYTHON312 (default:
# pyenv's 3.12.1).
set -euo pipefail
cd "$(dirname "$0")"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in *.py; do [ "$f" = fuzz_run.py ] || names+=("${f%.py}"); done
  for f in *.json; do [ -e "${f%.json}.py" ] || names+=("${f%.json}"); done
fi
for name in "${names[@]}"; do
  if [ -e "$name.py" ]; then
    python=python3
    if head -n 1 "$name.py" | grep -qF "(CPython 3.13)"; then
      python=${PYTHON313:-$HOME/.pyenv/versions/3.13.0/bin/python3}
    elif head -n 1 "$name.py" | grep -qF "(CPython 3.12)"; then
      python=${PYTHON312:-$HOME/.pyenv/versions/3.12.1/bin/python3}
    fi
    "$python" "$name.py" > "$name.out"
  else
    python3 fuzz_run.py "$name.json" > "$name.out"
  fi
  echo "recorded $name.out ($(wc -l < "$name.out") lines)"
done
