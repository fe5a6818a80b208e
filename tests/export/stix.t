#!/bin/bash
# STIX 2.1 export of the demo snapshot with the bundled campaign
# definitions: sightings name the campaign's indicator where its
# definition lists network indicators, the campaign otherwise; every
# reference resolves. (Required properties: tests/export/test_stix_required.)
. "$(dirname "$0")/setup.sh"
check "build a snapshot" build_snapshot
check "export stix" "$SIGHTED" export --format stix --campaigns "$C" --reporter "Example CERT" "$SDB" -o "$T/b.json"
if jq -e '.type == "bundle"' "$T/b.json" > /dev/null; then ok "a JSON bundle"; else not_ok "a JSON bundle"; fi
equals "the reporter's identity" "$(jq -r '.objects[] | select(.type=="identity") | .name' "$T/b.json")" "Example CERT"
equals "every reference resolves" "$(jq '[.objects[].id] as $ids | [.objects[] | (.sighting_of_ref, .source_ref, .target_ref, (.observed_data_refs // [])[], (.where_sighted_refs // [])[], (.object_refs // [])[]) | select(. != null) | select(. as $r | $ids | index($r) | not)] | length' "$T/b.json")" 0
equals "3cx-2023 sightings name its indicator" \
	"$(jq -r '(.objects[] | select(.type=="indicator" and .name=="3cx-2023 infrastructure") | .id) as $i | [.objects[] | select(.type=="sighting" and .sighting_of_ref==$i)] | length > 0' "$T/b.json")" true
pat=$(jq -r '.objects[] | select(.type=="indicator") | .pattern' "$T/b.json")
dom=$(grep -m1 '^domain,.*,3cx-desktopapp-2023,' "$ROOT/data/iocs/3cx-indicators.csv" | cut -d, -f2 | tr 'A-Z' 'a-z')
if [ -n "$dom" ] && grep -qF "[domain-name:value = '$dom' OR domain-name:value LIKE '%.$dom']" <<<"$pat"; then
	ok "the pattern holds a bundled 3CX domain and its subdomains ($dom)"
else
	not_ok "the pattern holds a bundled 3CX domain ($dom)"; echo "# ${pat:0:300}"
fi
equals "the indicator indicates the campaign" \
	"$(jq -r '.objects[] | select(.type=="relationship") | .relationship_type' "$T/b.json" | sort -u)" indicates
equals "sightings: one per entry and campaign (as CSV rows)" \
	"$(jq '[.objects[] | select(.type=="sighting")] | length' "$T/b.json")" \
	"$("$SIGHTED" export --format csv "$SDB" -o "$T/rows.csv" 2>/dev/null; tail -n +2 "$T/rows.csv" | wc -l)"
check "export stix without definitions" "$SIGHTED" export --format stix --campaigns "$T/none" "$SDB" -o "$T/c.json"
contains "... says the sightings name the campaign" "$T/.out" "no campaign definition"
equals "... and they do" "$(jq -r '[.objects[] | select(.type=="sighting") | .sighting_of_ref | split("--")[0]] | unique | join(",")' "$T/c.json")" campaign
"$SIGHTED" export --format stix --campaigns "$C" --reporter "Example CERT" "$SDB" -o "$T/b2.json" 2>/dev/null
if cmp -s "$T/b.json" "$T/b2.json"; then ok "deterministic: the same bundle twice"; else not_ok "deterministic"; fi
done_testing
