#!/usr/bin/env bash
# Re-record the CPython transcripts: bash tests/transcripts/record.sh [NAME...]
# NAME.py is run as is; a generated scenario NAME.json (no NAME.py) through fuzz_run.py.
set -euo pipefail
cd "$(dirname "$0")"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in *.py; do [ "$f" = fuzz_run.py ] || names+=("${f%.py}"); done
  for f in *.json; do [ -e "${f%.json}.py" ] || names+=("${f%.json}"); done
fi
for name in "${names[@]}"; do
  if [ -e "$name.py" ]; then
    python3 "$name.py" > "$name.out"
  else
    python3 fuzz_run.py "$name.json" > "$name.out"
  fi
  echo "recorded $name.out ($(wc -l < "$name.out") lines)"
done
