#!/bin/bash
# CSV and JSON Lines exports: parsed back (Python's csv module, jq) and
# compared with the snapshot as `sighted check` and `sighted info` see it.
. "$(dirname "$0")/setup.sh"
check "build a snapshot" build_snapshot
check "export csv" "$SIGHTED" export --format csv "$SDB" -o "$T/out.csv"
check "export jsonl" "$SIGHTED" export --format jsonl "$SDB" -o "$T/out.jsonl"
entries=$("$SIGHTED" info "$SDB" | sed -n 's/^entries: *\([0-9]*\).*/\1/p')
equals "one JSON line per entry" "$(wc -l < "$T/out.jsonl")" "$entries"
if jq -e . "$T/out.jsonl" > /dev/null; then ok "every line is JSON"; else not_ok "every line is JSON"; fi
# each line is exactly what `sighted check --json` reports for that key
jq -r .key "$T/out.jsonl" > "$T/keys"
"$SIGHTED" check --db "$SDB" --json - < "$T/keys" |
	jq -c '.query as $q | .matches[] | select(.key == $q)' > "$T/check.jsonl"
if cmp -s <(jq -cS . "$T/out.jsonl") <(jq -cS . "$T/check.jsonl"); then
	ok "JSON Lines entries match sighted check --json"
else
	not_ok "JSON Lines entries match sighted check --json"; diff <(jq -cS . "$T/out.jsonl") <(jq -cS . "$T/check.jsonl") | head -5 | sed 's/^/# /'
fi
/usr/bin/python3 - "$T/out.csv" "$T/out.jsonl" > "$T/cmp" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
want = []
for l in open(sys.argv[2]):
    e = json.loads(l)
    for s in e["sightings"]:
        want.append((e["key"], s["campaign"], s["first_seen"] or "", s["last_seen"] or "",
                     str(s["count"]), ",".join(s["evidence"]), s["confidence"], ";".join(s["sources"])))
got = [(r["network"], r["campaign"], r["first_seen"], r["last_seen"], r["count"],
        r["evidence"], r["confidence"], r["sources"]) for r in rows]
print("ok" if got == want else "not ok", "- CSV rows equal the JSON Lines sightings (%d rows)" % len(got))
if got != want:
    for g, w in zip(got, want):
        if g != w:
            print("# csv", g, "\n# jsonl", w)
            break
PY
while IFS= read -r l; do case $l in "ok "*) ok "${l#ok - }" ;; "not ok "*) not_ok "${l#not ok - }" ;; *) echo "$l" ;; esac; done < "$T/cmp"
equals "CSV header" "$(head -1 "$T/out.csv" | tr -d '\r')" "network,prefix_length,campaign,first_seen,last_seen,count,evidence,confidence,sources"
contains "multi-kind evidence is quoted" "$T/out.csv" '"list,dns,tls"'
check "export csv --campaign gopuram-2023" "$SIGHTED" export --format csv --campaign gopuram-2023 "$SDB" -o "$T/gop.csv"
lacks "filtered CSV has no other campaign" "$T/gop.csv" ',3cx-2023,'
equals "filtered CSV has every gopuram sighting" "$(($(wc -l < "$T/gop.csv") - 1))" \
	"$(jq -s '[.[].sightings[] | select(.campaign == "gopuram-2023")] | length' "$T/out.jsonl")"
check "export jsonl --min-confidence medium" "$SIGHTED" export --format jsonl --min-confidence medium "$SDB" -o "$T/med.jsonl"
equals "filtered JSON Lines keep only medium and high" \
	"$(jq -r '.sightings[].confidence' "$T/med.jsonl" | sort -u | paste -sd,)" "high,medium"
done_testing
