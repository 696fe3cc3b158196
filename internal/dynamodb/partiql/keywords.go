package partiql

import "strings"

// keywords are the words PartiQL reserves: SQL-92's reserved words and
// PartiQL's own. Written bare where a name is expected they are syntax
// errors, as in DynamoDB ("Unexpected keyword"); a "quoted" name may be any
// word.
var keywords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
absolute action add all allocate alter and any are as asc assertion at authorization avg
begin between bit bit_length both by cascade cascaded case cast catalog char character
character_length char_length check close coalesce collate collation column commit connect
connection constraint constraints continue convert corresponding count create cross current
current_date current_time current_timestamp current_user cursor date day deallocate dec decimal
declare default deferrable deferred delete desc describe descriptor diagnostics disconnect
distinct domain double drop else end end-exec escape except exception exec execute exists
external extract false fetch first float for foreign found from full get global go goto grant
group having hour identity immediate in indicator initially inner input insensitive insert int
integer intersect interval into is isolation join key language last leading left level like
local lower match max min minute module month names national natural nchar next no not null
nullif numeric octet_length of on only open option or order outer output overlaps pad partial
position precision prepare preserve primary prior privileges procedure public read real
references relative restrict revoke right rollback rows schema scroll second section select
session session_user set size smallint some space sql sqlcode sqlerror sqlstate substring sum
system_user table temporary then time timestamp timezone_hour timezone_minute to trailing
transaction translate translation trim true union unique unknown update upper usage user using
value values view when whenever where with work write year zone
missing pivot unpivot limit tuple struct bag list sexp blob clob boolean bool string symbol
remove let`) {
		m[w] = true
	}
	return m
}()

// isKeyword reports whether a bare word is reserved.
func isKeyword(word string) bool { return keywords[strings.ToLower(word)] }
