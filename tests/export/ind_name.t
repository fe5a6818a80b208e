#!/bin/bash
# export --name goes into files nft, ipset and Suricata load as root, none
# of which has quoting: only [A-Za-z][A-Za-z0-9_]{0,27} is written (so a
# name cannot add statements, and NAME-v4 / NAME_v4 / the iprep category
# fit the loaders' 31 characters); anything else is exit 2 and no file.
. "$(dirname "$0")/../lib.sh"
printf '192.0.2.7\n198.51.100.0/24\n2001:db8::7\nevil.example\n' >"$T/ind.txt"
cd "$T" || exit 1

bad=($'x\nflush ruleset\ntable inet y' 'a b;c' 'a,b' '9abc' '_x' '' 'x-y' 'x.y'
	"$(printf 'a%.0s' $(seq 1 29))")
for f in nftables ipset suricata; do
	for n in "${bad[@]}"; do
		rm -rf "out.$f"
		expect_status 2 "$f: --name $(printf '%q' "$n") refused" \
			"$SIGHTED" export -q --format $f --indicators --name "$n" -o "out.$f" ind.txt
		if [ -e "out.$f" ]; then not_ok "... and nothing written"; else ok "... and nothing written"; fi
	done
done
"$SIGHTED" export -q --format nftables --indicators --name $'x\nflush ruleset' -o x.nft ind.txt 2>err.txt
contains "the message names --name and the rule" err.txt "--name 'x\\\\x0aflush ruleset': only letters, digits and '_'"
"$SIGHTED" export -q --format ipset --indicators --name "$(printf 'a%.0s' $(seq 1 29))" -o x.ipset ind.txt 2>err.txt
contains "a 29-character name: the limit is given" err.txt "longer than 28 characters"

n28=A$(printf 'b%.0s' $(seq 1 26))_
check "a 28-character name is taken (ipset)" "$SIGHTED" export -q --format ipset --indicators --name "$n28" -o ok.ipset ind.txt
contains "... the set is NAME-v4" ok.ipset "^create ${n28}-v4 hash:net"
longest=$(awk '$1 == "create" { print length($2) }' ok.ipset | sort -n | tail -1)
equals "... every set name fits ipset's 31 characters" "$((longest <= 31))" 1
check "a 28-character name is taken (nftables)" "$SIGHTED" export -q --format nftables --indicators --name "$n28" -o ok.nft ind.txt
contains "... the table" ok.nft "^table inet ${n28} \\{$"
check "a 28-character name is taken (suricata)" "$SIGHTED" export -q --format suricata --indicators --name "$n28" -o ok.sur ind.txt
equals "... the category line" "$(cat ok.sur/iprep-categories.txt)" "1,$n28,Campaign infrastructure exported by sighted"
check "the default name still works" "$SIGHTED" export -q --format nftables --indicators -o def.nft ind.txt
contains "... table inet sighted" def.nft "^table inet sighted \\{$"
equals "... three table lines, all naming it" "$(grep -c "^table inet $n28\|^delete table inet $n28$" ok.nft)" 3
if command -v nft >/dev/null 2>&1 && nft -c -f def.nft >/dev/null 2>&1; then
	check "nft -c accepts the 28-character name" nft -c -f ok.nft
else
	ok "# SKIP nft -c is not usable here"
fi
done_testing
