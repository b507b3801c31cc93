#!/usr/bin/env bash
# Re-record the CPython transcripts: bash tests/transcripts/record.sh [NAME...]
set -euo pipefail
cd "$(dirname "$0")"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in *.py; do names+=("${f%.py}"); done
fi
for name in "${names[@]}"; do
  python3 "$name.py" > "$name.out"
  echo "recorded $name.out ($(wc -l < "$name.out") lines)"
done
