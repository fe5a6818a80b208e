#!/bin/bash
# docs/sighted.1: renders without a groff warning, gives every command its
# own paragraph (.TP), and its short-option table says what each command's
# --help says: one short option, one meaning.
. "$(dirname "$0")/../lib.sh"
M=$ROOT/docs/sighted.1
groff -ww -z -man -t "$M" >"$T/groff.out" 2>&1
equals "groff -ww -z -man -t exits 0" "$?" 0
equals "and warns about nothing" "$(cat "$T/groff.out")" ""
cmds=$("$SIGHTED" --help | sed -n 's/^  \([a-z]\{1,\}\) .*/\1/p' | grep -v '^-')
for c in $cmds; do
	if awk -v c="$c" 'prev == ".TP" && $1 == ".B" && $2 == c { f = 1 } { prev = $0 } END { exit !f }' "$M"; then
		ok "man page: '$c' has its own paragraph"
	else
		not_ok "man page: '$c' has its own paragraph (no .TP before .B $c)"
	fi
done
# the table: "\-x	\-\-long ..." rows between .TS and .TE
sed -n '/^\.TS/,/^\.TE/p' "$M" | sed -n 's/^\\-\([a-z]\)\t\\-\\-\([a-z\\-]*\).*/\1 \2/p' | sed 's/\\-/-/g' >"$T/table"
for c in $cmds; do
	"$SIGHTED" "$c" --help 2>&1 | sed -n 's/^ *-\([a-z]\), --\([a-z-]*\).*/\1 \2/p' >"$T/$c.short"
	while read -r s l; do
		if grep -qx "$s $l" "$T/table"; then ok "$c: -$s is --$l as in the table"; else not_ok "$c: -$s is --$l, the table says $(grep "^$s " "$T/table")"; fi
	done <"$T/$c.short"
done
equals "-j means --jobs only" "$(grep -c '^j ' "$T/table")" 1
done_testing
