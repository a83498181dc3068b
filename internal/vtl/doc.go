// Package vtl is an interpreter for the Velocity Template Language as
// Apache Velocity 1.7 runs it, the engine behind API Gateway's mapping
// templates. It is generic: the variables a template sees ($input,
// $context, ...) are supplied by the caller through Globals and the
// Object interface.
//
// A template is compiled once (Compile: text → AST, see parse.go and
// expr.go) and may then be executed any number of times concurrently
// (Template.Execute). Execution is bounded: a step budget, an output and
// allocation budget, a per-#foreach iteration cap and a macro depth cap
// (Limits), so a runaway template ends with an error instead of hanging
// or exhausting memory.
//
// Velocity 1.7 semantics kept here, because templates written for AWS
// depend on them:
//   - whitespace: "#set" eats the spaces and tabs before it; the ")" that
//     ends a directive's arguments, "#else" and "#end" eat the spaces and
//     tabs after them up to and including one newline; "##" comments eat
//     their newline;
//   - #set with a null right-hand side leaves the variable unchanged;
//   - #if is false only for null and false (an empty string is true);
//   - == between values of different classes compares their strings;
//   - string literals keep backslashes as written ("\\'" is two
//     characters), double-quoted ones interpolate references;
//   - #foreach stops silently after Limits.MaxLoops iterations
//     (AWS: 1000), exposes $foreach.hasNext/index/count/first/last and
//     $velocityCount;
//   - a null or undefined reference renders as the empty string (what API
//     Gateway does; stock Velocity would print the reference's text).
package vtl
