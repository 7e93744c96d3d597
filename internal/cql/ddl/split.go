package ddl

// statement is one ';'-terminated statement of the text: its tokens (without the ';'), ending
// with a tokEOF token placed where the statement ends, and where it is in the source.
type statement struct {
	toks  []token
	start int // byte offset of the first token
	end   int // byte offset of the terminating ';', or the end of the text
	line  int // line of the first token
}

// text is the statement's source, comments inside it included, without the ';'.
func (s statement) text(src string) string { return src[s.start:s.end] }

// splitStatements cuts the tokens of src into statements at each ';' token. A ';' inside a
// string literal, quoted name or comment is part of that token, not a separator. Empty statements
// (";;") are dropped.
func splitStatements(src string) []statement {
	toks := lex(src)
	var out []statement
	var cur []token
	for _, t := range toks {
		if t.kind == tokEOF || t.is(";") {
			if len(cur) > 0 {
				out = append(out, statement{
					toks:  append(cur, token{kind: tokEOF, pos: t.pos, end: t.pos, line: t.line}),
					start: cur[0].pos,
					end:   t.pos,
					line:  cur[0].line,
				})
			}
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	return out
}

// Statement is one statement of a CQL text, as Parse cuts it.
type Statement struct {
	// Line is the line of its first token (1-based).
	Line int
	// Text is its source from its first token to its end, without the ';': comments inside it are
	// kept, comments before it are not.
	Text string
}

// Statements cuts src into statements at each ';' that is not inside a string literal, a quoted
// name or a comment, exactly as Parse does. Drivers run one statement at a time; this lets a
// schema file (test/fixtures/schema.cql, a DESCRIBE output) be run statement by statement.
func Statements(src string) []Statement {
	var out []Statement
	for _, st := range splitStatements(src) {
		out = append(out, Statement{Line: st.line, Text: st.text(src)})
	}
	return out
}
