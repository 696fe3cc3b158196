// Package velocity evaluates templates in the Velocity Template Language
// (VTL) as API Gateway's mapping templates use it: references ($name,
// $!name, ${name}, properties, method calls and [index]), the directives
// #set, #if / #elseif / #else, #foreach, #break, #stop and #end (also in
// the #{...} form), comments (## and #* *#), unparsed blocks (#[[ ]]#),
// and expressions with string, number, boolean, null, list, range and map
// literals and the operators of Velocity (! not, * / %, + -, < > <= >= lt
// gt le ge, == != eq ne, && and, || or).
//
// # Values
//
// A template works on string, bool, int64, float64, *List, *Map, nil and
// host Objects. Lists and maps are mutable, as Java's are: $list.add(x) and
// $map.put(k, v) change them. JSON decodes into these types (ParseJSON),
// keeping the order of an object's members. Strings, lists and maps have
// the Java methods templates call (length, substring, replace, split, size,
// get, keySet, containsKey, ...). Values render as Java renders them: a
// map as {a=1, b=x}, a list as [1, x], a whole float as 1.0.
//
// A reference whose value is null renders as nothing, as it does in API
// Gateway (plain Velocity would print the reference's text). So does a
// method that does not exist.
//
// # Limits
//
// A #foreach runs at most 1,000 times, API Gateway's limit; a template runs
// at most about a million steps and writes at most 10 MB; expressions
// and directives nest at most maxDepth deep. Errors name the line.
//
// # Whitespace
//
// A line that holds only a directive or a ## comment, and spaces, renders
// as nothing: its leading spaces and its newline are dropped, so templates
// may lay out their directives one per line.
package velocity
