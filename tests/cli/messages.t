#!/bin/bash
# Messages name the cause: a list without a campaign, nfdump's binary and
# text outputs, a bad query kept in CSV, untrusted bytes escaped, plurals,
# a byte-order mark accepted on check's stdin as on import's input.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
export SIGHTED_CAMPAIGNS=$ROOT/data/campaigns
cp "$TESTS_DATA/lists/defanged.txt" list.txt
"$SIGHTED" import -c 3cx-2023 -q -o good.sdb list.txt 2>/dev/null

expect_status 3 "import without a campaign" "$SIGHTED" import -o x.sdb list.txt
contains "the missing --campaign is named as the cause" "$T/.out" "no line names a campaign: give --campaign"
lacks "not blamed on the format" "$T/.out" "wrong --format"

printf '\x0c\xa5\x02\x00\x01\x00\x00\x00binary-nfcapd-header' >nfcapd.bin
expect_status 3 "nfcapd binary file refused" "$SIGHTED" records nfcapd.bin
contains "says what it is and how to convert it" "$T/.out" "nfcapd binary file.*nfdump -r FILE -o csv"
printf '%s\n' 'Date first seen          Duration Proto      Src IP Addr:Port          Dst IP Addr:Port   Packets    Bytes Flows' \
	'2023-03-29 10:00:00.000     0.000 TCP        10.0.0.1:1234 ->       10.0.0.2:443        1       60     1' >nfdump.line
expect_status 3 "nfdump -o line text refused" "$SIGHTED" records nfdump.line
contains "names nfdump's text output and the CSV way" "$T/.out" "nfdump text output.*-o csv"
printf '[\n{\n\t"type" : "FLOW",\n\t"src4_addr" : "10.0.0.1",\n\t"dst4_addr" : "10.0.0.2"\n}\n]\n' >nfdump.json
expect_status 3 "nfdump -o json refused" "$SIGHTED" correlate -c 3cx-2023 -o c.sdb nfdump.json
contains "names nfdump's JSON output" "$T/.out" "nfdump JSON output \(-o json\).*-o csv"

"$SIGHTED" check -d good.sdb --csv 192.0.2.300 not-an-ip >q.csv 2>/dev/null
contains "check --csv keeps the bad query text" q.csv "^192\.0\.2\.300,error,"
contains "and the second one" q.csv "^not-an-ip,error,"
printf '\xef\xbb\xbf203.0.113.7\n' | "$SIGHTED" check -d good.sdb - >bom.out 2>&1
equals "a byte-order mark before the first query on stdin is accepted" "$?" 0
contains "the query answered" bom.out "^203\.0\.113\.7: LISTED"
printf '\xff\x1b[31mred\n' | "$SIGHTED" check -d good.sdb - >esc.out 2>&1
contains "invalid UTF-8 and ESC are escaped" esc.out "'\\\\xff\\\\x1b\[31mred'"
if grep -q $'\x1b' esc.out; then not_ok "no raw ESC reaches the terminal"; else ok "no raw ESC reaches the terminal"; fi
printf '\xff\x1b[31mred\n' | "$SIGHTED" check -d good.sdb --json - >esc.json 2>/dev/null
check "the JSON answer to such a query is valid JSON (invalid UTF-8 as U+FFFD, ESC as \\u001b)" jq -e '.query == "\ufffd\u001b[31mred"' esc.json

printf '203.0.113.7\n' >one.txt
"$SIGHTED" import -c 3cx-2023 -o one.sdb one.txt 2>/dev/null
"$SIGHTED" info one.sdb >info.out
contains "info: 1 address, 0 prefixes" info.out "IPv4: 1 address, 0 prefixes"
"$SIGHTED" indicators -c 3cx-2023 2>ind.err >/dev/null
contains "indicators: plural forms kept for many" ind.err "[0-9]+ network indicators \("
# records' text output: a name with invalid UTF-8 and a C1 control (CSI)
printf '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\n1680000000.0\tC1\t10.0.0.1\t1234\t10.0.0.2\t53\tudp\t1\tbad\xff\xc2\x9bname.com\n' >dns.log
"$SIGHTED" records dns.log >rec.out 2>/dev/null
contains "records: invalid UTF-8 and C1 controls escaped" rec.out 'bad\\xff\\xc2\\x9bname\.com'
if LC_ALL=C grep -q $'\xff' rec.out; then not_ok "no raw invalid byte in records' text"; else ok "no raw invalid byte in records' text"; fi
done_testing
