#!/bin/bash
# sighted indicators: the real vendor files and the bundled campaigns.
set -u
: "${SIGHTED:?}" "${TESTS_DATA:?}"
export SIGHTED_CAMPAIGNS="$TESTS_DATA/../../data/campaigns"
I=$TESTS_DATA/iocs
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }

"$SIGHTED" indicators --campaign 3cx-2023 --json >"$T/3cx.json" 2>"$T/3cx.err"
rc=$?
ok "3cx-2023 loads" '[ $rc -eq 0 ]'
ok "3cx-2023: 32 domains, 37 URLs" '[ "$(jq -r ".counts | \"\(.domains) \(.urls)\"" "$T/3cx.json")" = "32 37" ]'
ok "3cx-2023: OpenDrive addresses refused as shared" '[ "$(jq .counts.shared "$T/3cx.json")" = 2 ] && grep -q "38.108.185.79 is shared infrastructure" "$T/3cx.err"'
ok "3cx-2023: IconStorages URLs are path-only" '[ "$(jq "[.indicators[] | select(.shared)] | length" "$T/3cx.json")" = 19 ]'
ok "3cx-2023: gopuram rows filtered out" '[ "$(jq .counts.filtered "$T/3cx.json")" = 10 ]'

out=$("$SIGHTED" indicators --campaign gopuram-2023 2>&1)
rc=$?
ok "gopuram-2023 loads with 0 network indicators" '[ $rc -eq 0 ] && grep -q "^0 network indicators" <<<"$out"'
ok "gopuram-2023 reports its 10 hashes as unusable" 'grep -q "unusable: 10 hashes" <<<"$out"'

out=$("$SIGHTED" indicators --csv "$I/sophoslabs-3CX-IoCs-2023-03.csv" 2>"$T/err")
ok "Sophos CSV: defanged domains refanged" 'grep -q "^domain,akamaicontainer.com,,sophoslabs-3CX-IoCs-2023-03.csv,no,," <<<"$out"'
ok "Sophos CSV: staging URL on a shared host" 'grep -q "^url,raw.githubusercontent.com/IconStorages/images/main/,.*,yes," <<<"$out"'
ok "Sophos CSV: Description row reported with its line" 'grep -q "sophoslabs-3CX-IoCs-2023-03.csv:2: unsupported" "$T/err"'

out=$("$SIGHTED" indicators --csv "$I/volexity-3cx-iocs.csv" 2>&1 >/dev/null)
ok "Volexity CSV: hashes and emails counted" 'grep -q "unusable: 18 hashes, 5 unsupported" <<<"$out"'

"$SIGHTED" indicators --json "$I/eset-lazarus_3cx.misp.json" >"$T/misp.json" 2>/dev/null
ok "MISP: to_ids respected (3 URLs)" '[ "$(jq .counts.network "$T/misp.json")" = 3 ] && [ "$(jq .counts.urls "$T/misp.json")" = 3 ]'
"$SIGHTED" indicators --misp-all --json "$I/eset-lazarus_3cx.misp.json" >"$T/misp.json" 2>/dev/null
ok "MISP --misp-all: the C2 addresses too" '[ "$(jq .counts.addresses "$T/misp.json")" = 3 ]'

out=$("$SIGHTED" indicators "$I/stix2-examples/indicator-to-campaign-relationship.json" 2>/dev/null)
ok "STIX: campaign from the relationship" 'grep -q "10.0.0.0  \[Operation Omega\] from 2014-09-09" <<<"$out"'

"$SIGHTED" indicators "$T/missing.csv" >/dev/null 2>"$T/err"
rc=$?
ok "missing file: exit 3 naming it" '[ $rc -eq 3 ] && grep -q missing.csv "$T/err"'
printf '{"objects": [' >"$T/bad.json"
"$SIGHTED" indicators "$T/bad.json" >/dev/null 2>"$T/err"
rc=$?
ok "broken JSON: exit 3 with the line" '[ $rc -eq 3 ] && grep -q "bad.json:1: not valid JSON" "$T/err"'
"$SIGHTED" indicators >/dev/null 2>&1
rc=$?
ok "no input: usage error" '[ $rc -eq 2 ]'
"$SIGHTED" indicators --help | grep -q "usage: sighted indicators"
rc=$?
ok "--help" '[ $rc -eq 0 ]'
printf 'a.example\n' | gzip >"$T/list.txt.gz"
ok "gzip input" '"$SIGHTED" indicators "$T/list.txt.gz" 2>/dev/null | grep -q "^domain  a.example"'
echo "1..$n"
